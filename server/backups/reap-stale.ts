import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { ARTIFACT_KINDS, backups } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "@/server/services/activity";
import { fullConfig } from "@/server/services/plugin-config";
import { backupJobKey } from "./job-key";
import { artifactKey } from "./keys";
import { loadBackupJob } from "./load-backup-job";

/** A running backup refreshes its heartbeat every second; one this quiet has lost its worker. */
export const STALE_AFTER_SECONDS = 30;

/**
 * Fails the backups whose worker died (SIGKILL, power loss), removes what they had written, and releases the
 * dead worker's job locks so the environment's queue moves on at once instead of after graphile-worker's
 * four-hour lock timeout.
 */
export async function reapStaleBackups(db: Db, plugins: PluginHost): Promise<number> {
  const message = `The worker running this backup stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s); run the backup again`;
  const stale = await db
    .update(backups)
    .set({ status: "failed", error: message, finishedAt: new Date() })
    .where(and(inArray(backups.status, ["in_progress", "uploading"]), lt(backups.heartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`)))
    .returning({ id: backups.id });
  for (const { id } of stale) {
    const keys = [backupJobKey(id)];
    const locks = await db.execute<{ locked_by: string }>(sql`select locked_by from graphile_worker.jobs where key = any(${keys}) and locked_by is not null`);
    const workers = [...new Set(locks.map((r) => r.locked_by))];
    if (workers.length) await db.execute(sql`select graphile_worker.force_unlock_workers(${workers}::text[])`);
    await db.execute(sql`select graphile_worker.remove_job(${keys[0]}::text)`);
    const job = await loadBackupJob(db, id);
    if (!job) continue;
    if (job.storage) {
      const storage = (await plugins.storageProvider(job.storage.provider)).create(fullConfig(job.storage.config, job.storage.secrets));
      await Promise.all(ARTIFACT_KINDS.map((kind) => storage.delete(artifactKey(job.backup, kind)).catch(() => {})));
      await storage.close?.();
    }
    await recordActivity(db, { userId: null, orgId: job.backup.orgId, role: "owner", label: "Safehold", via: "system" }, {
      action: "backup.fail",
      targetType: "backup",
      targetId: id,
      targetLabel: `${job.project.name} / ${job.environment.name}`,
      outcome: "failure",
      message,
    });
  }
  return stale.length;
}
