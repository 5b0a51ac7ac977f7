import { and, eq, lt, sql } from "drizzle-orm";
import { STALE_AFTER_SECONDS, type ReapResult } from "@/server/backups/reap-stale";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { restores } from "@/server/db/schema";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { releaseOperationSlot } from "@/server/servers/operation-slots";
import { appendRunLog, queueRunNotifications } from "@/server/jobs/run-lifecycle";
import { isRunnerAlive } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { restoreJobKey } from "./job-key";

/**
 * Fails the restores whose worker process is gone and frees their job and their environment's queue. A
 * restore that died before its swap left the target as it was (its fresh copy may remain on the server); one
 * that died during the swap may have to be checked by hand, and its message says so. A stale restore whose
 * worker process is still connected (paused) is left running, holding its environment's queue.
 */
export async function reapStaleRestores(db: Db): Promise<ReapResult> {
  const stale = and(eq(restores.status, "in_progress"), lt(restores.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`));
  const candidates = await db.select({ id: restores.id }).from(restores).where(stale);
  const result: ReapResult = { reaped: [], runnerAlive: [] };
  for (const { id } of candidates) {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(restores).where(and(eq(restores.id, id), stale)).for("update", { skipLocked: true });
      if (!row) return null;
      if (row.runnerId && (await isRunnerAlive(tx, row.runnerId))) return "runnerAlive" as const;
      await releaseDeadJob(tx, restoreJobKey(id));
      await releaseOperationSlot(tx, "restore", id);
      const message = row.swappedAt
        ? `The worker running this restore stopped unexpectedly while swapping the restored copy in: check the environment's database and filestore`
        : `The worker running this restore stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s) before touching the target, which is unchanged; run the restore again`;
      await tx.update(restores).set({ status: "failed", error: message, failureKind: "worker_lost", finishedAt: new Date() }).where(eq(restores.id, id));
      await recordActivity(tx, safeholdActor(row.orgId), {
        action: "restore.fail",
        targetType: "environment",
        targetId: row.targetEnvironmentId,
        outcome: "failure",
        message,
      });
      await queueRunNotifications(tx, "restore", id);
      return "reaped" as const;
    });
    if (outcome === "reaped") await appendRunLog(db, "restore", id, "The worker running this restore stopped unexpectedly", "error");
    if (outcome) result[outcome].push(id);
  }
  return result;
}
