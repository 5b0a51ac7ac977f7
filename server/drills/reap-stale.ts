import { and, eq, lt, sql } from "drizzle-orm";
import { STALE_AFTER_SECONDS, type ReapResult } from "@/server/backups/reap-stale";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { restoreDrills } from "@/server/db/schema";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { releaseOperationSlot } from "@/server/servers/operation-slots";
import { appendRunLog, queueRunNotifications } from "@/server/jobs/run-lifecycle";
import { isRunnerAlive } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { drillJobKey } from "./job-key";

/**
 * Fails the restore drills whose worker process is gone and frees their job and their environment's queue. No
 * environment was touched; the scratch copy it was making may remain on the server under its drill name.
 */
export async function reapStaleDrills(db: Db): Promise<ReapResult> {
  const stale = and(eq(restoreDrills.status, "in_progress"), lt(restoreDrills.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`));
  const candidates = await db.select({ id: restoreDrills.id }).from(restoreDrills).where(stale);
  const result: ReapResult = { reaped: [], runnerAlive: [] };
  for (const { id } of candidates) {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(restoreDrills).where(and(eq(restoreDrills.id, id), stale)).for("update", { skipLocked: true });
      if (!row) return null;
      if (row.runnerId && (await isRunnerAlive(tx, row.runnerId))) return "runnerAlive" as const;
      await releaseDeadJob(tx, drillJobKey(id));
      await releaseOperationSlot(tx, "drill", id);
      const message = `The worker running this restore drill stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s); no environment was touched, run the drill again`;
      await tx.update(restoreDrills).set({ status: "failed", error: message, failureKind: "worker_lost", finishedAt: new Date() }).where(eq(restoreDrills.id, id));
      await recordActivity(tx, safeholdActor(row.orgId), { action: "drill.fail", targetType: "environment", targetId: row.environmentId, outcome: "failure", message });
      await queueRunNotifications(tx, "drill", id);
      return "reaped" as const;
    });
    if (outcome === "reaped") await appendRunLog(db, "drill", id, "The worker running this restore drill stopped unexpectedly", "error");
    if (outcome) result[outcome].push(id);
  }
  return result;
}
