import { run, type Runner } from "graphile-worker";
import { STALE_AFTER_SECONDS } from "@/server/backups/reap-stale";
import { pluginHost } from "@/server/plugins/process-host";
import { crontab, taskList } from "./tasks";
import { joinWorkerPresence } from "./worker-presence";

/**
 * Runs the job worker. The process is present (its presence session open, see worker-presence.ts) before it
 * takes its first job and until its last job has ended: `stop` resolves once the presence is gone too.
 */
export async function startWorker(options: { connectionString: string; concurrency: number }): Promise<Runner> {
  // Discovers the plugins now (no plugin code runs): refused plugins are logged at start, not at first use.
  pluginHost();
  const presence = await joinWorkerPresence(options.connectionString);
  let runner: Runner;
  try {
    runner = await run({
      connectionString: options.connectionString,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      taskList,
      crontab,
    });
  } catch (err) {
    await presence.leave();
    throw err;
  }
  // However the runner ends (stopped, killed, failed), the process stops being present once it has.
  void runner.promise.then(presence.leave, presence.leave).catch(() => {});
  // A backup left running by a worker that died is failed as soon as its heartbeat is stale: now if it already
  // is, else once it has had time to go stale, rather than at whichever minute tick comes after that.
  await runner.addJob("maintenance/reap-stale-runs", {});
  await runner.addJob("maintenance/reap-stale-runs", {}, { runAt: new Date(Date.now() + (STALE_AFTER_SECONDS + 2) * 1000) });
  return {
    ...runner,
    stop: async (reason) => {
      try {
        await runner.stop(reason);
      } finally {
        await presence.leave();
      }
    },
  };
}
