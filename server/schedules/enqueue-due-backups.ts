import { eq, sql } from "drizzle-orm";
import { backupJobKey } from "@/server/backups/job-key";
import type { DbOrTx } from "@/server/db";
import { backups, storageLocations } from "@/server/db/schema";
import { queueRunNotifications } from "@/server/jobs/run-lifecycle";
import { enqueueJobs, environmentQueue } from "@/server/jobs/enqueue";
import { loadEnvironmentPolicies } from "@/server/policies/environment-policies";
import { latestEnvironmentSlot, type WindowCache } from "./environment-slot";

const INSERT_CHUNK = 5000;
// Nowhere to keep it: the run is recorded as failed, so the missed backup shows (and counts against compliance).
const NO_STORAGE = "No storage location: choose one in the backup policy or set a default in Settings › Storage";

/** A PostgreSQL array literal of uuids, timestamps or booleans (values that need no quoting). */
const pgArray = (values: (string | null)[]) => `{${values.map((v) => v ?? "NULL").join(",")}}`;

type Due = { environmentId: string; orgId: string; projectId: string; slot: Date; storageLocationId: string | null; includeFilestore: boolean };

async function defaultStorageByOrg(db: DbOrTx): Promise<Map<string, string>> {
  const rows = await db.select({ id: storageLocations.id, orgId: storageLocations.orgId }).from(storageLocations).where(eq(storageLocations.isDefault, true));
  return new Map(rows.map((r) => [r.orgId, r.id]));
}

/** The (environment, slot) pairs among `due` that already have their scheduled backup. */
async function alreadyTaken(db: DbOrTx, due: Due[]): Promise<Set<string>> {
  if (due.length === 0) return new Set();
  const rows = await db.execute<{ environment_id: string; scheduled_for: string }>(sql`
    select b.environment_id, b.scheduled_for
    from unnest(${pgArray(due.map((d) => d.environmentId))}::uuid[], ${pgArray(due.map((d) => d.slot.toISOString()))}::timestamptz[]) as d(environment_id, slot)
    join ${backups} b on b.environment_id = d.environment_id and b.scheduled_for = d.slot`);
  return new Set(rows.map((r) => `${r.environment_id}@${new Date(r.scheduled_for).toISOString()}`));
}

/**
 * The scheduler's tick: for every environment whose effective policy is enabled, its latest slot at or before
 * `now` (its schedule's time plus its own offset within the policy's start window, see environment-slot.ts) gets
 * one `scheduled` backup, queued in the environment's queue. A slot that already has its backup is skipped, and
 * the unique (environment, slot) index makes a second worker's tick for the same slot insert nothing, so a slot
 * never runs twice. After downtime only the latest missed slot runs (once); slots from before the environment
 * existed, or before its policy last changed, never do.
 */
export async function enqueueDueBackups(db: DbOrTx, now: Date = new Date()): Promise<{ considered: number; enqueued: number }> {
  const environments = (await loadEnvironmentPolicies(db)).filter((e) => e.policy.enabled);
  const windows: WindowCache = new Map();
  const storageByOrg = await defaultStorageByOrg(db);
  const candidates: Due[] = [];
  for (const e of environments) {
    const slot = latestEnvironmentSlot(e.policy, e.environmentId, now, windows);
    // A policy takes effect from its next slot: creating an environment or editing its policy never fires a past slot.
    if (!slot || slot <= e.since) continue;
    candidates.push({
      environmentId: e.environmentId,
      orgId: e.orgId,
      projectId: e.projectId,
      slot,
      storageLocationId: e.policy.storageLocationId ?? storageByOrg.get(e.orgId) ?? null,
      includeFilestore: e.policy.includeFilestore,
    });
  }
  const taken = await alreadyTaken(db, candidates);
  const due = candidates.filter((d) => !taken.has(`${d.environmentId}@${d.slot.toISOString()}`));

  let enqueued = 0;
  for (let i = 0; i < due.length; i += INSERT_CHUNK) {
    const chunk = due.slice(i, i + INSERT_CHUNK);
    enqueued += await db.transaction(async (tx) => {
      // One row per environment and slot, sent as column arrays (a VALUES list of thousands of rows costs far more to build and plan).
      const inserted = await tx.execute<{ id: string; environment_id: string; status: string }>(sql`
        insert into ${backups} (org_id, project_id, environment_id, storage_location_id, type, status, error, failure_kind, finished_at, progress, retention_class, include_filestore, scheduled_for, created_at)
        select d.org_id, d.project_id, d.environment_id, d.storage_location_id, 'scheduled', case when d.storage_location_id is null then 'failed' else 'pending' end::backup_status,
          case when d.storage_location_id is null then ${NO_STORAGE} end, case when d.storage_location_id is null then 'storage'::failure_kind end,
          case when d.storage_location_id is null then ${now.toISOString()}::timestamptz end,
          case when d.storage_location_id is null then ${JSON.stringify({ phase: "failed", bytes: 0, updatedAt: now.toISOString() })}::jsonb end,
          'daily', d.include_filestore, d.scheduled_for, ${now.toISOString()}::timestamptz
        from unnest(${pgArray(chunk.map((d) => d.orgId))}::uuid[], ${pgArray(chunk.map((d) => d.projectId))}::uuid[], ${pgArray(chunk.map((d) => d.environmentId))}::uuid[],
          ${pgArray(chunk.map((d) => d.storageLocationId))}::uuid[], ${pgArray(chunk.map((d) => String(d.includeFilestore)))}::boolean[], ${pgArray(chunk.map((d) => d.slot.toISOString()))}::timestamptz[])
          as d(org_id, project_id, environment_id, storage_location_id, include_filestore, scheduled_for)
        on conflict (environment_id, scheduled_for) where scheduled_for is not null do nothing
        returning id, environment_id, status`);
      const pending = inserted.filter((b) => b.status === "pending").map((b) => ({ id: b.id, environmentId: b.environment_id }));
      // A slot that failed at once (no storage location) is told like any failed run, in the same transaction.
      for (const failed of inserted.filter((b) => b.status === "failed")) await queueRunNotifications(tx, "backup", failed.id);
      await enqueueJobs(
        tx,
        "backup/run",
        pending.map((b) => ({ payload: { backupId: b.id }, queueName: environmentQueue(b.environmentId), jobKey: backupJobKey(b.id), maxAttempts: 1 })),
      );
      return pending.length;
    });
  }
  return { considered: environments.length, enqueued };
}
