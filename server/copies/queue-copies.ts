import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backupCopies, storageLocations } from "@/server/db/schema";
import { enqueueJobs } from "@/server/jobs/enqueue";
import { effectivePolicyFor } from "@/server/services/backup-policies";

/** Attempts per copy; graphile-worker waits about 3 s, 7 s, 20 s and 55 s between them. */
export const COPY_ATTEMPTS = 5;

export function copyJobKey(copyId: string): string {
  return `backup-copy:${copyId}`;
}

/** Queues (or queues again) the `backup/copy` job of each copy. */
export async function enqueueCopyJobs(db: DbOrTx, copyIds: string[]): Promise<void> {
  await enqueueJobs(db, "backup/copy", copyIds.map((copyId) => ({ payload: { copyId }, jobKey: copyJobKey(copyId), maxAttempts: COPY_ATTEMPTS })));
}

/**
 * In the transaction that completes a verified backup: one copy row and one `backup/copy` job per location of the
 * environment's `copies` policy, leaving out the backup's own location and locations of other organizations.
 */
export async function queueBackupCopies(tx: DbOrTx, backup: { id: string; orgId: string; environmentId: string; storageLocationId: string | null }): Promise<number> {
  const { copies } = await effectivePolicyFor(tx, backup.orgId, backup.environmentId);
  const wanted = copies.filter((id) => id !== backup.storageLocationId);
  if (wanted.length === 0) return 0;
  const locations = await tx.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.orgId, backup.orgId), inArray(storageLocations.id, wanted)));
  if (locations.length === 0) return 0;
  const rows = await tx
    .insert(backupCopies)
    .values(locations.map((l) => ({ backupId: backup.id, storageLocationId: l.id })))
    .onConflictDoNothing()
    .returning({ id: backupCopies.id });
  await enqueueCopyJobs(tx, rows.map((r) => r.id));
  return rows.length;
}
