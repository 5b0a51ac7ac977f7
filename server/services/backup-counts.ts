import { and, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { BACKUP_STATUSES } from "@/server/db/schema";
import { backupFilters, listBackupsInput } from "./backups";

/** Counts stop here: past it a count says "at least", and never scans more than this many rows per status. */
export const COUNT_LIMIT = 10_000;

export const backupCountsInput = listBackupsInput.omit({ status: true, limit: true, cursor: true });

export const backupCountsOutput = z.object({
  pending: z.number(),
  in_progress: z.number(),
  uploading: z.number(),
  completed: z.number(),
  failed: z.number(),
  expired: z.number(),
  total: z.number(),
  /** Each count is exact below this; a count equal to it means at least that many (and so does the total). */
  limit: z.number(),
});

type Status = (typeof BACKUP_STATUSES)[number];

/**
 * How many of the organization's backups match the Backups page's filters (all but status), per status, each
 * counted up to `COUNT_LIMIT`: an index walk of at most that many entries per status, however many backups the
 * organization has (an exact count of a million rows takes longer than a page should wait).
 */
export async function countBackups(db: DbOrTx, actor: Principal, input: z.infer<typeof backupCountsInput>): Promise<z.infer<typeof backupCountsOutput>> {
  const where = and(...backupFilters(actor, input));
  const rows = await db.execute<{ status: Status; n: number }>(sql`
    select s.status, (
      select count(*) from (select 1 from backups where ${where} and backups.status = s.status limit ${COUNT_LIMIT}) capped
    )::int as n
    from unnest(enum_range(null::backup_status)) as s(status)`);
  const counts = Object.fromEntries(BACKUP_STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const row of rows) counts[row.status] = row.n;
  return { ...counts, total: Object.values(counts).reduce((sum, n) => sum + n, 0), limit: COUNT_LIMIT };
}
