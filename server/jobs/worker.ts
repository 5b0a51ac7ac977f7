import { run, type Runner } from "graphile-worker";
import { STALE_AFTER_SECONDS } from "@/server/backups/reap-stale";
import { crontab, taskList } from "./tasks";

export async function startWorker(options: { connectionString: string; concurrency: number }): Promise<Runner> {
  const runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList,
    crontab,
  });
  // A backup left running by a worker that died is failed as soon as its heartbeat is stale: now if it already
  // is, else once it has had time to go stale, rather than at whichever minute tick comes after that.
  await runner.addJob("maintenance/reap-stale-runs", {});
  await runner.addJob("maintenance/reap-stale-runs", {}, { runAt: new Date(Date.now() + (STALE_AFTER_SECONDS + 2) * 1000) });
  return runner;
}
