import { reapStaleBackups } from "@/server/backups/reap-stale";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";
import { reapStaleRestores } from "@/server/restores/reap-stale";

/** Every minute (and when a worker starts): fail the backups and restores whose worker died. */
export const reapStaleRunsTask = defineTask("maintenance/reap-stale-runs", async (_payload, helpers) => {
  const backups = await reapStaleBackups(getDb(), pluginHost());
  if (backups > 0) helpers.logger.warn(`Marked ${backups} backup(s) failed: their worker stopped`);
  const restores = await reapStaleRestores(getDb());
  if (restores > 0) helpers.logger.warn(`Marked ${restores} restore(s) failed: their worker stopped`);
});
