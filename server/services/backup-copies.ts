import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/server/db";
import { COPY_STATUSES, backupCopies, storageLocations } from "@/server/db/schema";

/** A backup's second copy as the API shows it (the primary location counts as the first copy). */
export const backupCopyItem = z.object({
  storageLocationId: z.string(),
  name: z.string(),
  status: z.enum(COPY_STATUSES),
  /** When the copy was read back and matched the catalog; null until then. */
  verifiedAt: z.string().nullable(),
  /** The last attempt's error; kept while a retry waits. */
  error: z.string().nullable(),
  attempts: z.number(),
});
export type BackupCopyItem = z.infer<typeof backupCopyItem>;

export const retryCopyInput = z.object({ backupId: z.uuid(), storageLocationId: z.uuid() });

/** The second copies of each backup, by location name. */
export async function copiesOf(db: DbOrTx, backupIds: string[]): Promise<Map<string, BackupCopyItem[]>> {
  const byBackup = new Map<string, BackupCopyItem[]>();
  if (backupIds.length === 0) return byBackup;
  const rows = await db
    .select({ copy: backupCopies, name: storageLocations.name })
    .from(backupCopies)
    .innerJoin(storageLocations, eq(storageLocations.id, backupCopies.storageLocationId))
    .where(inArray(backupCopies.backupId, backupIds))
    .orderBy(asc(storageLocations.name));
  for (const { copy, name } of rows) {
    const item = { storageLocationId: copy.storageLocationId, name, status: copy.status, verifiedAt: copy.verifiedAt?.toISOString() ?? null, error: copy.error, attempts: copy.attempts };
    byBackup.set(copy.backupId, [...(byBackup.get(copy.backupId) ?? []), item]);
  }
  return byBackup;
}
