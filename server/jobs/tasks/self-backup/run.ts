import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";
import { runSelfBackup } from "@/server/self-backup/run-self-backup";

/** One self-backup of the console's database; the `self-backup` queue runs them one at a time. */
export const runSelfBackupTask = defineTask("self-backup/run", async ({ runId }, helpers) => {
  await runSelfBackup(getDb(), pluginHost(), runId, helpers.abortSignal);
});
