import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { safeholdActor, type Principal } from "@/server/auth/principal";
import { backupObjectKeys, removeBackupObjects } from "@/server/backups/backup-objects";
import type { DbOrTx } from "@/server/db";
import { releaseFilestoreObjects } from "@/server/filestore/sweep-queue";
import { backupCopies, backups, environments, projects, restores, storageLocations } from "@/server/db/schema";
import { copyLocationsOf } from "@/server/copies/copy-locations";
import { loadEnvironmentPolicies, type EnvironmentPolicy } from "@/server/policies/environment-policies";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivities, type ActivityEntry } from "@/server/services/activity";
import { openStorage } from "@/server/services/plugin-config";
import { decideArchivedRetention, decideRetention, type RetentionCandidate } from "./gfs";
import type { HostedStorageClient } from "@/server/plugins/conform";

/** Backups whose files are removed per batch: one artifact query, one update and one activity insert each. */
const BATCH = 500;
const DELETE_CONCURRENCY = 8;

type Completed = RetentionCandidate & { orgId: string; projectId: string; environmentId: string; storageLocationId: string | null };

/** Every completed backup, grouped by environment, as retention sees it. */
async function completedByEnvironment(db: DbOrTx): Promise<Map<string, Completed[]>> {
  const rows = await db
    .select({
      id: backups.id,
      orgId: backups.orgId,
      projectId: backups.projectId,
      environmentId: backups.environmentId,
      storageLocationId: backups.storageLocationId,
      type: backups.type,
      retentionClass: backups.retentionClass,
      expiresAt: backups.expiresAt,
      pinned: backups.pinned,
      held: backups.held,
      scheduledFor: backups.scheduledFor,
      createdAt: backups.createdAt,
    })
    .from(backups)
    .where(eq(backups.status, "completed"));
  const byEnvironment = new Map<string, Completed[]>();
  for (const { scheduledFor, createdAt, ...row } of rows) {
    const list = byEnvironment.get(row.environmentId) ?? [];
    list.push({ ...row, takenAt: scheduledFor ?? createdAt });
    byEnvironment.set(row.environmentId, list);
  }
  return byEnvironment;
}

/** Backups a pending or running restore reads from: never expired under it. */
async function inUseByRestores(db: DbOrTx): Promise<Set<string>> {
  const rows = await db.select({ backupId: restores.backupId }).from(restores).where(inArray(restores.status, ["pending", "in_progress"]));
  return new Set(rows.flatMap((r) => (r.backupId ? [r.backupId] : [])));
}

/** Environments archived by "Destroy environment": their backups are kept until a chosen date (null: permanently). */
async function archivedEnvironments(db: DbOrTx): Promise<Map<string, ArchivedEnvironment>> {
  const rows = await db
    .select({ environmentId: environments.id, environmentName: environments.name, projectName: projects.name, until: environments.keepBackupsUntil })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(isNotNull(environments.archivedAt), isNotNull(environments.keepBackups)));
  return new Map(rows.map((r) => [r.environmentId, r]));
}

type ArchivedEnvironment = { environmentId: string; environmentName: string; projectName: string; until: Date | null };
/** What the pass knows of an environment: its effective policy, or the date its archived backups are kept until. */
type Ruled = { policy: EnvironmentPolicy } | { archived: ArchivedEnvironment };

/**
 * The retention task: applies each environment's effective policy to its completed backups
 * (see `decideRetention`), or for a destroyed environment the keep date chosen then (`decideArchivedRetention`),
 * removes what falls out from storage, then marks it `expired` and records it.
 * A backup whose objects cannot be removed stays completed, to be tried again on the next pass.
 */
export async function runRetentionPass(db: DbOrTx, plugins: PluginHost, now: Date = new Date()): Promise<{ examined: number; expired: number; failed: number }> {
  const rules = new Map<string, Ruled>([
    ...[...(await archivedEnvironments(db))].map(([id, archived]) => [id, { archived }] as const),
    ...(await loadEnvironmentPolicies(db)).map((policy) => [policy.environmentId, { policy }] as const),
  ]);
  const byEnvironment = await completedByEnvironment(db);
  const busy = await inUseByRestores(db);
  const falling: Completed[] = [];
  let examined = 0;
  for (const [environmentId, candidates] of byEnvironment) {
    const ruled = rules.get(environmentId);
    if (!ruled) continue;
    examined += candidates.length;
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const decisions = "policy" in ruled ? decideRetention(candidates, ruled.policy.policy, now) : decideArchivedRetention(candidates, ruled.archived.until, now);
    for (const decision of decisions) {
      if (!decision.keep && !busy.has(decision.id)) falling.push(byId.get(decision.id)!);
    }
  }

  const clients = new Map<string, HostedStorageClient | Error>();
  let expired = 0;
  let failed = 0;
  try {
    for (let i = 0; i < falling.length; i += BATCH) {
      const outcome = await expireBatch(db, plugins, clients, falling.slice(i, i + BATCH), rules);
      expired += outcome.expired;
      failed += outcome.failed;
    }
  } finally {
    for (const client of clients.values()) if (!(client instanceof Error)) await client.close();
  }
  return { examined, expired, failed };
}

/** One client per location for the whole pass; a location that failed once is left alone until the next pass. */
async function storageFor(db: DbOrTx, plugins: PluginHost, clients: Map<string, HostedStorageClient | Error>, locationId: string): Promise<HostedStorageClient | Error | undefined> {
  const known = clients.get(locationId);
  if (known) return known;
  const [location] = await db.select().from(storageLocations).where(eq(storageLocations.id, locationId));
  if (!location) return undefined;
  const client = await openStorage(plugins, location);
  clients.set(locationId, client);
  return client;
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Removes a batch's files (a few deletions at a time), then marks the backups whose files are gone `expired`
 * and records them, in two statements. A location that fails is recorded once and its backups wait.
 */
async function expireBatch(db: DbOrTx, plugins: PluginHost, clients: Map<string, HostedStorageClient | Error>, batch: Completed[], rules: Map<string, Ruled>) {
  const keys = await backupObjectKeys(db, batch);
  const copies = await copyLocationsOf(db, batch.map((b) => b.id));
  const removed: Completed[] = [];
  const problems: { actor: Principal; entry: ActivityEntry }[] = [];
  /** Removes the backup's objects from one location; false when that location failed (now or earlier in this pass). */
  const removeFrom = async (backup: Completed, locationId: string, what: string): Promise<boolean> => {
    try {
      const storage = await storageFor(db, plugins, clients, locationId);
      // Already failed in this pass and recorded once: the backup waits for the next pass.
      if (storage instanceof Error) return false;
      if (storage) await removeBackupObjects(db, storage, backup, keys.get(backup.id));
      return true;
    } catch (err) {
      if (clients.get(locationId) instanceof Error) return false;
      clients.set(locationId, err as Error);
      problems.push({
        actor: safeholdActor(backup.orgId),
        entry: {
          action: "backup.expire",
          targetType: "backup",
          targetId: backup.id,
          targetLabel: label(rules.get(backup.environmentId)!),
          outcome: "failure",
          message: `Retention could not remove files from ${what}: ${(err as Error).message}. Its backups are kept and tried again on the next pass.`,
        },
      });
      return false;
    }
  };
  await eachLimited(batch, DELETE_CONCURRENCY, async (backup) => {
    // Every second copy, then the primary location: a backup is expired only once no location holds it.
    for (const copy of copies.get(backup.id) ?? []) {
      if (!(await removeFrom(backup, copy.location.id, `its second copy's location "${copy.location.name}"`))) return;
    }
    if (backup.storageLocationId && !(await removeFrom(backup, backup.storageLocationId, "its storage location"))) return;
    removed.push(backup);
  });
  const marked = removed.length
    ? await db
        .update(backups)
        .set({ status: "expired" })
        .where(and(inArray(backups.id, removed.map((b) => b.id)), eq(backups.status, "completed")))
        .returning({ id: backups.id })
    : [];
  const markedIds = new Set(marked.map((m) => m.id));
  // Their copies are gone with them, and their hold on shared filestore objects (swept once no backup needs them).
  if (marked.length) await db.delete(backupCopies).where(inArray(backupCopies.backupId, [...markedIds]));
  await releaseFilestoreObjects(db, [...markedIds]);
  const done = removed.filter((b) => markedIds.has(b.id));
  await recordActivities(db, [
    ...problems,
    ...done.map((backup) => {
      const ruled = rules.get(backup.environmentId)!;
      return {
        actor: safeholdActor(backup.orgId),
        entry: { action: "backup.expire", targetType: "backup", targetId: backup.id, targetLabel: label(ruled), message: expiryMessage(backup, ruled) },
      };
    }),
  ]);
  return { expired: done.length, failed: batch.length - done.length };
}

function label(ruled: Ruled): string {
  const environment = "policy" in ruled ? ruled.policy : ruled.archived;
  return `${environment.projectName} / ${environment.environmentName}`;
}

function expiryMessage(backup: Completed, ruled: Ruled): string {
  if ("archived" in ruled) return "The environment was destroyed and its final backups were kept until now; its files were removed";
  const keep = ruled.policy.policy.retention;
  return backup.type === "scheduled"
    ? `No longer kept by the retention policy (daily ${keep.daily}, weekly ${keep.weekly}, monthly ${keep.monthly}, yearly ${keep.yearly}); its files were removed`
    : `Its ${backup.retentionClass} retention ended; its files were removed`;
}
