import { STALE_AFTER_SECONDS, reapStaleBackups } from "@/server/backups/reap-stale";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pruneGoneWorkerProcesses } from "@/server/jobs/worker-presence";
import { pluginHost } from "@/server/plugins/process-host";
import { pruneForgottenWaits } from "@/server/servers/operation-slots";
import { reapStaleRestores } from "@/server/restores/reap-stale";
import { reapStaleDrills } from "@/server/drills/reap-stale";
import { reapStaleDestructions } from "@/server/lifecycle/reap-stale";

/**
 * Every minute (and when a worker starts): fail the backups and restores whose worker process is gone, and tell
 * whoever the policy says (queued with the failure); leave those whose worker is only paused; forget worker processes gone for a while.
 */
export const reapStaleRunsTask = defineTask("maintenance/reap-stale-runs", async (_payload, helpers) => {
  const backups = await reapStaleBackups(getDb(), pluginHost());
  if (backups.reaped.length > 0) helpers.logger.warn(`Marked ${backups.reaped.length} backup(s) failed: their worker stopped`);
  if (backups.retried?.length) helpers.logger.warn(`Queued ${backups.retried.length} scheduled backup(s) for another attempt: their worker stopped`);
  const restores = await reapStaleRestores(getDb());
  if (restores.reaped.length > 0) helpers.logger.warn(`Marked ${restores.reaped.length} restore(s) failed: their worker stopped`);
  const drills = await reapStaleDrills(getDb());
  if (drills.reaped.length > 0) helpers.logger.warn(`Marked ${drills.reaped.length} restore drill(s) failed: their worker stopped`);
  const destroys = await reapStaleDestructions(getDb());
  if (destroys.reaped.length > 0) helpers.logger.warn(`Marked ${destroys.reaped.length} destroy(s) failed: their worker stopped`);
  const waiting = [...backups.runnerAlive.map((id) => `backup ${id}`), ...restores.runnerAlive.map((id) => `restore ${id}`), ...drills.runnerAlive.map((id) => `drill ${id}`)];
  if (waiting.length > 0) {
    helpers.logger.info(`Left running (no progress for ${STALE_AFTER_SECONDS} s, but their worker process is still connected, probably paused): ${waiting.join(", ")}`);
  }
  await pruneForgottenWaits(getDb());
  const forgotten = await pruneGoneWorkerProcesses(getDb());
  if (forgotten > 0) helpers.logger.info(`Forgot ${forgotten} worker process(es) gone for a while`);
});
