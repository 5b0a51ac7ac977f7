import { runBackup } from "@/server/backups/run-backup";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { notifyBackupFinished } from "@/server/notifications/notify";
import { pluginHost } from "@/server/plugins/process-host";

/** One backup, in its environment's queue (never alongside another backup or restore of that environment). */
export const runBackupTask = defineTask("backup/run", async ({ backupId }, helpers) => {
  await runBackup(getDb(), pluginHost(), backupId, helpers.abortSignal);
  // The backup has its final status already: a notification problem is logged, never the backup's failure.
  await notifyBackupFinished(getDb(), backupId).catch((err: unknown) => helpers.logger.error(`Backup ${backupId}: notifications could not be queued: ${(err as Error).message}`));
});
