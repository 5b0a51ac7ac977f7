import { and, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backups } from "@/server/db/schema";

type Running = { id: string; environmentId: string; includeFilestore: boolean; status: string };

const RUNNING = new Set(["in_progress", "uploading"]);

/**
 * How many source bytes each running backup should read, for its percentage and ETA: what the environment's last
 * finished backup of the same kind (with or without its filestore) read, as its final progress recorded it.
 * A backup with no such predecessor has no estimate.
 */
export async function expectedSourceBytes(db: DbOrTx, rows: Running[]): Promise<Map<string, number>> {
  const running = rows.filter((r) => RUNNING.has(r.status));
  const expected = new Map<string, number>();
  if (running.length === 0) return expected;
  const bytes = sql<number>`(${backups.progress} ->> 'bytes')::float8`;
  const previous = await db
    .selectDistinctOn([backups.environmentId, backups.includeFilestore], { environmentId: backups.environmentId, includeFilestore: backups.includeFilestore, bytes })
    .from(backups)
    .where(and(inArray(backups.environmentId, [...new Set(running.map((r) => r.environmentId))]), inArray(backups.status, ["completed", "expired"]), sql`${bytes} > 0`))
    .orderBy(backups.environmentId, backups.includeFilestore, sql`${backups.finishedAt} desc nulls last`);
  const byKind = new Map(previous.map((p) => [`${p.environmentId}/${p.includeFilestore}`, Number(p.bytes)]));
  for (const r of running) {
    const value = byKind.get(`${r.environmentId}/${r.includeFilestore}`);
    if (value) expected.set(r.id, value);
  }
  return expected;
}
