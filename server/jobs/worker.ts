import { run, type Runner } from "graphile-worker";
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
  // Backups left running by a worker that died are failed at once, not at the next minute's tick.
  await runner.addJob("backup/reap-stale", {});
  return runner;
}
