import { reapStaleBackups } from "@/server/backups/reap-stale";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { notifyBackupFinished, notifyRestoreFinished } from "@/server/notifications/notify";
import { pluginHost } from "@/server/plugins/process-host";
import { reapStaleRestores } from "@/server/restores/reap-stale";

/** Every minute (and when a worker starts): fail the backups and restores whose worker died, and tell whoever the policy says. */
export const reapStaleRunsTask = defineTask("maintenance/reap-stale-runs", async (_payload, helpers) => {
  const backups = await reapStaleBackups(getDb(), pluginHost());
  if (backups.length > 0) helpers.logger.warn(`Marked ${backups.length} backup(s) failed: their worker stopped`);
  const restores = await reapStaleRestores(getDb());
  if (restores.length > 0) helpers.logger.warn(`Marked ${restores.length} restore(s) failed: their worker stopped`);
  const notify = [...backups.map((id) => notifyBackupFinished(getDb(), id)), ...restores.map((id) => notifyRestoreFinished(getDb(), id))];
  for (const outcome of await Promise.allSettled(notify)) {
    if (outcome.status === "rejected") helpers.logger.error(`Notifications could not be queued: ${(outcome.reason as Error).message}`);
  }
});
