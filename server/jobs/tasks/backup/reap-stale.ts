import { reapStaleBackups } from "@/server/backups/reap-stale";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";

/** Every minute (and when a worker starts): fail the backups whose worker died. */
export const reapStaleBackupsTask = defineTask("backup/reap-stale", async (_payload, helpers) => {
  const reaped = await reapStaleBackups(getDb(), pluginHost());
  if (reaped > 0) helpers.logger.warn(`Marked ${reaped} backup(s) failed: their worker stopped`);
});
