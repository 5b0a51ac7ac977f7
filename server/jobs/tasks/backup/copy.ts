import { runCopy } from "@/server/copies/run-copy";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";

/**
 * One attempt at a second copy of a backup. A failure is thrown so graphile-worker retries it with exponential
 * backoff; the last attempt marks the copy failed (the dashboard lists it) and completes the job.
 */
export const copyBackupTask = defineTask("backup/copy", async ({ copyId }, helpers) => {
  const outcome = await runCopy(getDb(), pluginHost(), copyId, { number: helpers.job.attempts, max: helpers.job.max_attempts }, helpers.abortSignal);
  if (outcome.status === "failed") helpers.logger.error(`Second copy ${copyId} failed after ${helpers.job.attempts} attempts: ${outcome.error}`);
  if (outcome.status === "retry") throw new Error(outcome.error);
});
