import { run, type Runner } from "graphile-worker";
import { crontab, taskList } from "./tasks";

export async function startWorker(options: { connectionString: string; concurrency: number }): Promise<Runner> {
  return run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList,
    crontab,
  });
}
