import { runBackup } from "@/server/backups/run-backup";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";

/** One backup, in its environment's queue (never alongside another backup or restore of that environment). */
export const runBackupTask = defineTask("backup/run", async ({ backupId }, helpers) => {
  // Its notifications are queued in the transaction that ends it (server/jobs/run-lifecycle.ts).
  await runBackup(getDb(), pluginHost(), backupId, helpers.abortSignal);
});
