import { and, eq, inArray } from "drizzle-orm";
import type { ReapResult } from "@/server/backups/reap-stale";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { destructions } from "@/server/db/schema";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { isRunnerAlive } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { destructionJobKey } from "./job-key";

const RUNNING = ["backing_up", "destroying"] as const;

/**
 * Fails the destroys whose worker process is gone and frees their job and the environment's queue, so the
 * environment can be destroyed again (the source's removal is idempotent) or used as it is. A destroy whose worker
 * is still connected is left running.
 */
export async function reapStaleDestructions(db: Db): Promise<ReapResult> {
  const candidates = await db.select({ id: destructions.id }).from(destructions).where(inArray(destructions.status, [...RUNNING]));
  const result: ReapResult = { reaped: [], runnerAlive: [] };
  for (const { id } of candidates) {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(destructions)
        .where(and(eq(destructions.id, id), inArray(destructions.status, [...RUNNING])))
        .for("update", { skipLocked: true });
      if (!row) return null;
      if (row.runnerId && (await isRunnerAlive(tx, row.runnerId))) return "runnerAlive" as const;
      await releaseDeadJob(tx, destructionJobKey(id));
      const message =
        row.status === "backing_up"
          ? "The worker running this destroy stopped during the final backup: nothing was removed; destroy it again"
          : "The worker running this destroy stopped while removing the environment's data: its final backup is kept; destroy it again to finish";
      await tx.update(destructions).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(destructions.id, id));
      await recordActivity(tx, safeholdActor(row.orgId), { action: "environment.destroy", targetType: "environment", targetId: row.environmentId, targetLabel: row.label, outcome: "failure", message });
      return "reaped" as const;
    });
    if (outcome) result[outcome].push(id);
  }
  return result;
}
