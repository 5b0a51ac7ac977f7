import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { ARTIFACT_KINDS, backups } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { queueRunNotifications } from "@/server/jobs/run-lifecycle";
import { isRunnerAlive } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { openStorage } from "@/server/services/plugin-config";
import { backupJobKey } from "./job-key";
import { artifactKey, backupPrefix } from "./keys";
import { loadBackupJob } from "./load-backup-job";

/** A running backup refreshes its heartbeat every second; one this quiet has stopped or lost its worker. */
export const STALE_AFTER_SECONDS = 30;

/** What one pass of a reaper did: the runs it failed, and the stale ones it left to their live (paused) worker. */
export type ReapResult = { reaped: string[]; runnerAlive: string[] };

/**
 * Fails the backups whose worker process is gone (SIGKILL, power loss), removes what they had written, and
 * releases that backup's job and its environment's queue so the queue moves on. A stale backup whose worker
 * process is still connected (paused: a long GC, a stalled VM) is left running, with its job and queue: it
 * goes on when its worker resumes, and freeing the queue would let a second run start on the environment.
 */
export async function reapStaleBackups(db: Db, plugins: PluginHost): Promise<ReapResult> {
  const message = `The worker running this backup stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s); run the backup again`;
  const stale = and(inArray(backups.status, ["in_progress", "uploading"]), lt(backups.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`));
  const candidates = await db.select({ id: backups.id }).from(backups).where(stale);
  const result: ReapResult = { reaped: [], runnerAlive: [] };
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
      await tx.update(backups).set({ status: "failed", error: message, failureKind: "worker_lost", finishedAt: new Date() }).where(eq(backups.id, id));
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
