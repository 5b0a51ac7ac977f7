import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";
import { runRestore } from "@/server/restores/run-restore";

/** One restore, in its target environment's queue (never alongside a backup or another restore of it). */
export const runRestoreTask = defineTask("restore/run", async ({ restoreId }, helpers) => {
  // Its notifications are queued in the transaction that ends it (server/jobs/run-lifecycle.ts).
  await runRestore(getDb(), pluginHost(), restoreId, helpers.abortSignal);
});
