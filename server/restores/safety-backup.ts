import { and, eq } from "drizzle-orm";
import { runBackup } from "@/server/backups/run-backup";
import type { Db } from "@/server/db";
import { RunFailure } from "@/server/jobs/run-failure";
import { backups, restores, storageLocations } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { insertPendingBackup } from "@/server/services/backup-lifecycle";
import type { RestoreJob } from "./load-restore-job";

/**
 * Takes the `pre_restore` backup of the target and waits for it to complete and verify. It runs inside the
 * restore's job (the environment's queue is already held by it), to the organization's default storage, or
 * to the restored backup's storage when there is no default.
 */
export async function takeSafetyBackup(db: Db, plugins: PluginHost, job: RestoreJob, signal: AbortSignal): Promise<void> {
  const target = job.target!;
  const [location] = await db.select({ id: storageLocations.id }).from(storageLocations).where(and(eq(storageLocations.orgId, job.restore.orgId), eq(storageLocations.isDefault, true))).limit(1);
  const storageLocationId = location?.id ?? job.backup!.storageLocationId;
  if (!storageLocationId) throw new Error("There is no storage location for the safety backup: add one in Settings › Storage");
  const when = (job.backup!.finishedAt ?? job.backup!.createdAt).toISOString().slice(0, 16).replace("T", " ");
  const id = await insertPendingBackup(db, job.restore.orgId, {
    environment: target,
    storageLocationId,
    type: "pre_restore",
    name: `Before restoring the backup of ${when} UTC`,
    notes: `Safety backup taken automatically by restore ${job.restore.id}`,
    requestedBy: job.restore.requestedBy,
    retention: "monthly",
    includeFilestore: job.restore.includeFilestore,
  });
  await db.update(restores).set({ safetyBackupId: id }).where(eq(restores.id, job.restore.id));
  await runBackup(db, plugins, id, signal, { insideOperation: true });
  const [done] = await db.select({ status: backups.status, verified: backups.verified, error: backups.error }).from(backups).where(eq(backups.id, id));
  if (done?.status !== "completed" || !done.verified) {
    throw new RunFailure("precondition", `The safety backup did not complete (${done?.error ?? done?.status ?? "deleted"}); nothing was changed`);
  }
}
