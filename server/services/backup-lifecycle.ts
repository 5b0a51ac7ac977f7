import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { removeBackupObjects } from "@/server/backups/backup-objects";
import { backupJobKey } from "@/server/backups/job-key";
import { expiryFor } from "@/server/backups/retention";
import type { DbOrTx } from "@/server/db";
import { RETENTION_CLASSES, backupCopies, backups, storageLocations } from "@/server/db/schema";
import { copyLocationsOf } from "@/server/copies/copy-locations";
import { enqueueCopyJobs } from "@/server/copies/queue-copies";
import { releaseFilestoreObjects } from "@/server/filestore/sweep-queue";
import { ConflictError, ExternalError, NotFoundError, ValidationError } from "@/server/errors";
import { enqueueJob, environmentQueue, removeJob } from "@/server/jobs/enqueue";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import type { retryCopyInput } from "./backup-copies";
import { effectivePolicyFor } from "./backup-policies";
import { getBackup, findBackup } from "./backups";
import { findEnvironment } from "./environments";
import { openStorage } from "./plugin-config";

export const createBackupInput = z.object({
  environmentId: z.uuid(),
  name: z.string().trim().max(200).default(""),
  notes: z.string().trim().max(5000).default(""),
  /** Defaults to the environment's backup policy: its storage location (else the organization's default) and filestore choice. */
  storageLocationId: z.uuid().optional(),
  includeFilestore: z.boolean().optional(),
  retention: z.enum(RETENTION_CLASSES).default("monthly"),
  /** `pre_upgrade`: "Prepare for upgrade", a backup held (never pruned) until an operator releases it. */
  type: z.enum(["manual", "pre_upgrade"]).default("manual"),
});

export const updateBackupInput = z.object({
  id: z.uuid(),
  name: z.string().trim().max(200).optional(),
  notes: z.string().trim().max(5000).optional(),
  /** Pinned: kept whatever retention says. */
  pinned: z.boolean().optional(),
});

export async function chooseStorageLocation(db: DbOrTx, actor: Principal, id: string | undefined) {
  const where = id ? and(eq(storageLocations.id, id), eq(storageLocations.orgId, actor.orgId)) : and(eq(storageLocations.orgId, actor.orgId), eq(storageLocations.isDefault, true));
  const [location] = await db.select({ id: storageLocations.id, name: storageLocations.name }).from(storageLocations).where(where);
  if (location) return location;
  if (id) throw new NotFoundError("Storage location");
  throw new ValidationError("There is no default storage location: add one in Settings › Storage, or choose one", { storageLocationId: "Choose where to keep the backup" });
}

type NewBackup = {
  environment: { id: string; projectId: string };
  storageLocationId: string;
  type: (typeof backups.$inferInsert)["type"];
  name: string;
  notes: string;
  requestedBy: string | null;
  retention: (typeof RETENTION_CLASSES)[number];
  includeFilestore: boolean;
};

/** Pre-upgrade backups are held from the start: retention skips them until an operator releases them. */
const HELD_TYPES: ReadonlySet<NewBackup["type"]> = new Set(["pre_upgrade"]);

/** Inserts a pending backup row; the caller queues or runs it. */
export async function insertPendingBackup(db: DbOrTx, orgId: string, input: NewBackup): Promise<string> {
  const now = new Date();
  const [row] = await db
    .insert(backups)
    .values({
      orgId,
      projectId: input.environment.projectId,
      environmentId: input.environment.id,
      storageLocationId: input.storageLocationId,
      type: input.type,
      status: "pending",
      name: input.name,
      notes: input.notes,
      requestedBy: input.requestedBy,
      retentionClass: input.retention,
      expiresAt: expiryFor(input.retention, now),
      includeFilestore: input.includeFilestore,
      held: HELD_TYPES.has(input.type),
      createdAt: now,
    })
    .returning({ id: backups.id });
  return row!.id;
}

/**
 * Records a manual backup as pending and queues its run in the environment's queue, in one transaction.
 * It starts when the environment's earlier backups and restores are done.
 */
/** The API's input; callers in the console may leave `type` out (a manual backup). */
type CreateBackup = Omit<z.infer<typeof createBackupInput>, "type"> & { type?: z.infer<typeof createBackupInput>["type"] };

export async function createBackup(db: DbOrTx, actor: Principal, input: CreateBackup) {
  const type = input.type ?? "manual";
  const environment = await findEnvironment(db, actor, input.environmentId);
  if (environment.environment.archivedAt) throw new ConflictError("This environment is archived: it is never backed up");
  const policy = await effectivePolicyFor(db, actor.orgId, environment.environment.id);
  const location = await chooseStorageLocation(db, actor, input.storageLocationId ?? policy.storageLocationId ?? undefined);
  const includeFilestore = input.includeFilestore ?? policy.includeFilestore;
  const id = await db.transaction(async (tx) => {
    const id = await insertPendingBackup(tx, actor.orgId, {
      environment: environment.environment,
      storageLocationId: location.id,
      type,
      name: input.name,
      notes: input.notes,
      requestedBy: actor.userId,
      retention: input.retention,
      includeFilestore,
    });
    await enqueueJob(tx, "backup/run", { backupId: id }, { queueName: environmentQueue(environment.environment.id), jobKey: backupJobKey(id), maxAttempts: 1 });
    await recordActivity(tx, actor, {
      action: "backup.create",
      targetType: "backup",
      targetId: id,
      targetLabel: `${environment.projectName} / ${environment.environment.name}`,
      message: [input.name || (type === "pre_upgrade" ? "Pre-upgrade backup (held until released)" : "Manual backup"), `to ${location.name}`, `kept ${input.retention}`, input.notes].filter(Boolean).join(" · "),
    });
    return id;
  });
  return getBackup(db, actor, id);
}

/**
 * Deletes a backup and its objects in storage, its second copies included. A pending backup is taken out of the queue; a running one is
 * refused (it cannot be stopped half-way through safely from here). If storage cannot be reached the backup
 * is kept, so nothing is lost or orphaned.
 */
export async function deleteBackup(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string): Promise<void> {
  const { backup, environmentName, projectName } = await findBackup(db, actor, id);
  if (backup.status === "in_progress" || backup.status === "uploading") {
    throw new ConflictError("This backup is running; delete it once it has finished");
  }
  if (backup.status === "pending") await removeJob(db, backupJobKey(id));
  // Second copies first, each copy row going once its objects are gone: the catalog never claims a copy that is not there.
  for (const copy of (await copyLocationsOf(db, [id])).get(id) ?? []) {
    const storage = await openStorage(plugins, copy.location);
    try {
      await removeBackupObjects(db, storage, backup);
    } catch (err) {
      throw new ExternalError(`Could not remove the backup's second copy from "${copy.location.name}": ${(err as Error).message}. The backup was kept.`);
    } finally {
      await storage.close();
    }
    await db.delete(backupCopies).where(eq(backupCopies.id, copy.copyId));
    await releaseFilestoreObjects(db, [id], { onlyLocationId: copy.location.id });
  }
  const [location] = backup.storageLocationId ? await db.select().from(storageLocations).where(eq(storageLocations.id, backup.storageLocationId)) : [];
  if (location && backup.status !== "pending") {
    const storage = await openStorage(plugins, location);
    try {
      await removeBackupObjects(db, storage, backup);
    } catch (err) {
      throw new ExternalError(`Could not remove the backup's files from "${location.name}": ${(err as Error).message}. The backup was kept.`);
    } finally {
      await storage.close();
    }
  }
  // Its filestore objects stay while other backups share them: the queued sweeps remove the rest.
  await releaseFilestoreObjects(db, [id]);
  const deleted = await db
    .delete(backups)
    .where(and(eq(backups.id, id), eq(backups.orgId, actor.orgId)))
    .returning({ id: backups.id });
  if (deleted.length === 0) throw new NotFoundError("Backup");
  await recordActivity(db, actor, {
    action: "backup.delete",
    targetType: "backup",
    targetId: id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: backup.name || `${backup.type} backup of ${backup.createdAt.toISOString()}`,
    // The backup row is gone: the Activity page's project and environment filters find its deletion by these.
    details: { projectId: backup.projectId, environmentId: backup.environmentId },
  });
}

/** Tries a failed second copy again from the start (a fresh round of attempts). */
export async function retryCopy(db: DbOrTx, actor: Principal, input: z.infer<typeof retryCopyInput>): Promise<void> {
  const { backup, projectName, environmentName } = await findBackup(db, actor, input.backupId);
  await db.transaction(async (tx) => {
    const [copy] = await tx
      .select({ id: backupCopies.id, status: backupCopies.status, name: storageLocations.name })
      .from(backupCopies)
      .innerJoin(storageLocations, eq(storageLocations.id, backupCopies.storageLocationId))
      .where(and(eq(backupCopies.backupId, backup.id), eq(backupCopies.storageLocationId, input.storageLocationId)));
    if (!copy) throw new NotFoundError("Second copy");
    if (copy.status !== "failed") throw new ConflictError("Only a failed copy can be retried: this one is still being made or is complete");
    if (backup.status !== "completed") throw new ConflictError("Only a completed backup can be copied");
    await tx.update(backupCopies).set({ status: "pending", error: null }).where(eq(backupCopies.id, copy.id));
    await enqueueCopyJobs(tx, [copy.id]);
    await recordActivity(tx, actor, { action: "backup.copy_retry", targetType: "backup", targetId: backup.id, targetLabel: `${projectName} / ${environmentName}`, message: `Retrying the second copy in ${copy.name}` });
  });
}

/** Renames a backup, edits its notes, pins or unpins it; each change goes to the activity log. */
export async function updateBackup(db: DbOrTx, actor: Principal, input: z.infer<typeof updateBackupInput>) {
  const { backup, projectName, environmentName } = await findBackup(db, actor, input.id);
  const changes: string[] = [];
  if (input.name !== undefined && input.name !== backup.name) changes.push(input.name ? `renamed "${input.name}"` : "name cleared");
  if (input.notes !== undefined && input.notes !== backup.notes) changes.push("notes edited");
  if (input.pinned !== undefined && input.pinned !== backup.pinned) changes.push(input.pinned ? "pinned: kept whatever retention says" : "unpinned: retention applies again");
  if (changes.length) {
    await db
      .update(backups)
      .set({ name: input.name ?? backup.name, notes: input.notes ?? backup.notes, pinned: input.pinned ?? backup.pinned })
      .where(and(eq(backups.id, backup.id), eq(backups.orgId, actor.orgId)));
    await recordActivity(db, actor, { action: "backup.update", targetType: "backup", targetId: backup.id, targetLabel: `${projectName} / ${environmentName}`, message: changes.join("; ") });
  }
  return getBackup(db, actor, backup.id);
}

/** Releases a held (pre-upgrade) backup: from now on its retention class applies. */
export async function releaseBackup(db: DbOrTx, actor: Principal, id: string) {
  const { backup, projectName, environmentName } = await findBackup(db, actor, id);
  if (!backup.held) throw new ConflictError("This backup is not held");
  await db.update(backups).set({ held: false }).where(and(eq(backups.id, backup.id), eq(backups.orgId, actor.orgId)));
  await recordActivity(db, actor, {
    action: "backup.release",
    targetType: "backup",
    targetId: backup.id,
    targetLabel: `${projectName} / ${environmentName}`,
    message: `Released ${backup.name ? `"${backup.name}"` : `the ${backup.type} backup`}: its ${backup.retentionClass} retention applies again`,
  });
  return getBackup(db, actor, backup.id);
}
