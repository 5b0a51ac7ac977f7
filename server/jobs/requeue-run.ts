import { backupJobKey } from "@/server/backups/job-key";
import type { DbOrTx } from "@/server/db";
import { drillJobKey } from "@/server/drills/job-key";
import { restoreJobKey } from "@/server/restores/job-key";
import { enqueueJob, environmentQueue } from "./enqueue";
import type { RunKind } from "./run-lifecycle";

/**
 * Puts a run's job back in its environment's queue, to run at `runAt`, under the same job key. Called from inside
 * the run's own job: graphile-worker then clears the key of the running (locked) job and adds a new one, so the
 * run still has exactly one job waiting, and the queue moves on once the current one returns.
 */
export async function requeueRun(tx: DbOrTx, kind: RunKind, runId: string, environmentId: string, runAt: Date): Promise<void> {
  const queue = { queueName: environmentQueue(environmentId), maxAttempts: 1, runAt };
  if (kind === "backup") await enqueueJob(tx, "backup/run", { backupId: runId }, { ...queue, jobKey: backupJobKey(runId) });
  else if (kind === "restore") await enqueueJob(tx, "restore/run", { restoreId: runId }, { ...queue, jobKey: restoreJobKey(runId) });
  else await enqueueJob(tx, "drill/run", { drillId: runId }, { ...queue, jobKey: drillJobKey(runId) });
}
