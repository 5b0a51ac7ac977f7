import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { notifyRestoreFinished } from "@/server/notifications/notify";
import { pluginHost } from "@/server/plugins/process-host";
import { runRestore } from "@/server/restores/run-restore";

/** One restore, in its target environment's queue (never alongside a backup or another restore of it). */
export const runRestoreTask = defineTask("restore/run", async ({ restoreId }, helpers) => {
  await runRestore(getDb(), pluginHost(), restoreId, helpers.abortSignal);
  // The restore has its final status already: a notification problem is logged, never the restore's failure.
  await notifyRestoreFinished(getDb(), restoreId).catch((err: unknown) => helpers.logger.error(`Restore ${restoreId}: notifications could not be queued: ${(err as Error).message}`));
});
