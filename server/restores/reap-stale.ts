import { and, eq, lt, sql } from "drizzle-orm";
import { STALE_AFTER_SECONDS } from "@/server/backups/reap-stale";
import { safeholdActor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { restores } from "@/server/db/schema";
import { releaseDeadJob } from "@/server/jobs/release-job";
import { recordActivity } from "@/server/services/activity";
import { restoreJobKey } from "./job-key";
import { appendRestoreLog } from "./restore-log";

/**
 * Fails the restores whose worker died and frees their environment's queue. A restore that died before its
 * swap left the target as it was (its fresh copy may remain on the server); one that died during the swap
 * may have to be checked by hand, and its message says so.
 */
export async function reapStaleRestores(db: Db): Promise<string[]> {
  const stale = and(eq(restores.status, "in_progress"), lt(restores.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`));
  const candidates = await db.select({ id: restores.id }).from(restores).where(stale);
  const reaped: string[] = [];
  for (const { id } of candidates) {
    const done = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(restores).where(and(eq(restores.id, id), stale)).for("update", { skipLocked: true });
      if (!row) return false;
      await releaseDeadJob(tx, restoreJobKey(id));
      const message = row.swappedAt
        ? `The worker running this restore stopped unexpectedly while swapping the restored copy in: check the environment's database and filestore`
        : `The worker running this restore stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s) before touching the target, which is unchanged; run the restore again`;
      await tx.update(restores).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(restores.id, id));
      await recordActivity(tx, safeholdActor(row.orgId), {
        action: "restore.fail",
        targetType: "environment",
        targetId: row.targetEnvironmentId,
        outcome: "failure",
        message,
      });
      return true;
    });
    if (done) {
      await appendRestoreLog(db, id, "The worker running this restore stopped unexpectedly", "error");
      reaped.push(id);
    }
  }
  return reaped;
}
