import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { ARTIFACT_KINDS, backups } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { appendRunLog, queueRunNotifications } from "@/server/jobs/run-lifecycle";
import { requeueRun } from "@/server/jobs/requeue-run";
import { releaseFilestoreObjects } from "@/server/filestore/sweep-queue";
import { releaseOperationSlot } from "@/server/servers/operation-slots";
import { isRunnerAlive } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { openStorage } from "@/server/services/plugin-config";
import { nextAttemptValues, planBackupRetry } from "./backup-retry";
import { backupJobKey } from "./job-key";
import { artifactKey, backupPrefix } from "./keys";
import { loadBackupJob } from "./load-backup-job";

/** A running backup refreshes its heartbeat every second; one this quiet has stopped or lost its worker. */
export const STALE_AFTER_SECONDS = 30;

/**
 * What one pass of a reaper did: the runs it failed, the stale ones it left to their live (paused) worker, and
 * (backups only) the scheduled ones it queued for another attempt.
 */
export type ReapResult = { reaped: string[]; runnerAlive: string[]; retried?: string[] };

/**
 * Fails the backups whose worker process is gone (SIGKILL, power loss), removes what they had written, and
 * releases that backup's job and its environment's queue so the queue moves on. A scheduled backup with attempts
 * left goes back to `pending` instead, its next attempt queued under the same job key (see backup-retry.ts). A
 * stale backup whose worker process is still connected (paused: a long GC, a stalled VM) is left running, with
 * its job and queue: it goes on when its worker resumes, and freeing the queue would let a second run start on
 * the environment.
 */
export async function reapStaleBackups(db: Db, plugins: PluginHost): Promise<ReapResult> {
  const lost = `The worker running this backup stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s)`;
  const message = `${lost}; run the backup again`;
  const stale = and(inArray(backups.status, ["in_progress", "uploading"]), lt(backups.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`));
  const candidates = await db.select({ id: backups.id }).from(backups).where(stale);
  const result: Required<ReapResult> = { reaped: [], runnerAlive: [], retried: [] };
  for (const { id } of candidates) {
    // One reaper per backup (several workers may run this task); its files go before it is marked failed,
    // so a failed backup never has a partial file in storage.
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx.select({ id: backups.id, runnerId: backups.runnerId }).from(backups).where(and(eq(backups.id, id), stale)).for("update", { skipLocked: true });
      if (!row) return null;
      // A backup claimed before runners were recorded has no runner id: only its heartbeat can tell.
      if (row.runnerId && (await isRunnerAlive(tx, row.runnerId))) return "runnerAlive" as const;
      const job = await loadBackupJob(tx, id);
      if (!job) return null;
      await releaseDeadJob(tx, backupJobKey(id));
      if (job.storage) {
        const storage = await openStorage(plugins, job.storage);
        // Whatever the run wrote lies under its own prefix, whichever file names its source declared.
        const written = await storage.list(backupPrefix(job.backup)).catch(() => []);
        await Promise.all([...new Set([...ARTIFACT_KINDS.map((kind) => artifactKey(job.backup, kind)), ...written.map((o) => o.key)])].map((key) => storage.delete(key).catch(() => {})));
        await storage.close();
      }
      // A retry references its objects again; a failed backup holds none.
      await releaseFilestoreObjects(tx, [id]);
      await releaseOperationSlot(tx, "backup", id);
      const retry = await planBackupRetry(tx, job.backup, "worker_lost", null);
      if (retry) {
        await tx.update(backups).set({ status: "pending", runnerId: null, progress: { phase: retry.phase, bytes: 0, updatedAt: new Date().toISOString() }, ...nextAttemptValues(retry) }).where(eq(backups.id, id));
        await appendRunLog(tx, "backup", id, retry.line(lost), "warn");
        await requeueRun(tx, "backup", id, job.environment.id, retry.at);
        return "retried" as const;
      }
      await tx.update(backups).set({ status: "failed", error: message, failureKind: "worker_lost", finishedAt: new Date() }).where(eq(backups.id, id));
      await appendRunLog(tx, "backup", id, job.backup.maxAttempts ? `Attempt ${job.backup.attempt} of ${job.backup.maxAttempts} failed: ${message}` : message, "error");
      await recordActivity(tx, safeholdActor(job.backup.orgId), {
        action: "backup.fail",
        targetType: "backup",
        targetId: id,
        targetLabel: `${job.project.name} / ${job.environment.name}`,
        outcome: "failure",
        message,
      });
      await queueRunNotifications(tx, "backup", id);
      return "reaped" as const;
    });
    if (outcome) result[outcome].push(id);
  }
  return result;
}
