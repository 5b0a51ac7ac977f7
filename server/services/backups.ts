import { applicationInfoSchema } from "@/server/backups/application-info";
import { and, asc, eq, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { expectedSourceBytes } from "@/server/backups/expected-size";
import { fileNameOf } from "@/server/backups/keys";
import type { DbOrTx } from "@/server/db";
import { FAILURE_KINDS } from "@/shared/enum-values";
import { ARTIFACT_KINDS, BACKUP_ORIGINS, BACKUP_STATUSES, BACKUP_TYPES, RETENTION_CLASSES, backupArtifacts, backups, environments, projects, storageLocations, users } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { runLogEntry } from "./run-log-entry";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { queuePositions } from "./queue-positions";
import { backupCopyItem, copiesOf, type BackupCopyItem } from "./backup-copies";
import { progressOutput } from "@/server/jobs/run-progress";


export const backupItem = z.object({
  id: z.string(),
  environmentId: z.string(),
  /** The environment's source contribution id (e.g. `postgres`): it names the backup's artifacts. */
  source: z.string(),
  environmentName: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  type: z.enum(BACKUP_TYPES),
  status: z.enum(BACKUP_STATUSES),
  name: z.string(),
  notes: z.string(),
  requestedBy: z.string().nullable(),
  storageLocationId: z.string().nullable(),
  storageLocationName: z.string().nullable(),
  includeFilestore: z.boolean(),
  retentionClass: z.enum(RETENTION_CLASSES),
  /** Until when its retention class keeps it; null for a backup that did not complete (nothing of it is kept). */
  expiresAt: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  verified: z.boolean(),
  /** Kept whatever retention says, until unpinned. */
  pinned: z.boolean(),
  /** A pre-upgrade backup kept until an operator releases it. */
  held: z.boolean(),
  /** Its environment was destroyed: its backups are kept until then (null: permanently), whatever their class says. */
  keptAfterDestroyUntil: z.string().nullable().optional(),
  /** `taken` by this console, `imported` by a catalog import (signed here), or `foreign` (restorable once `trusted`). */
  origin: z.enum(BACKUP_ORIGINS),
  trusted: z.boolean(),
  error: z.string().nullable(),
  /** Why it failed: source, storage, verification, precondition, worker_lost, shutdown or stopped. */
  failureKind: z.enum(FAILURE_KINDS).nullable(),
  progress: progressOutput.nullable(),
  /** For a running backup: the source bytes it should read (its environment's last backup of the same kind read that many); null when unknown. */
  expectedBytes: z.number().nullable(),
  /** Which attempt it is on: a scheduled backup that failed for a transient reason is tried again as the same backup. */
  attempt: z.number(),
  /** How many attempts its policy allows; null until a retry was scheduled. */
  maxAttempts: z.number().nullable(),
  /** For a pending backup: how many operations of its environment run or wait before it. */
  queuePosition: z.number().nullable(),
  /** Its second copies in further storage locations (the primary location is the first copy). */
  copies: z.array(backupCopyItem),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  /** When a restore drill of this backup last passed ("Restore tested"); null when none did. */
  restoreTestedAt: z.string().nullable(),
});
export const backupPage = pageSchema(backupItem);

export const artifactItem = z.object({ kind: z.enum(ARTIFACT_KINDS), key: z.string(), fileName: z.string(), size: z.number(), sha256: z.string() });
export const backupDetail = backupItem.extend({
  artifacts: z.array(artifactItem),
  sourceMeta: z.record(z.string(), z.unknown()).nullable(),
  /** The application the backup was taken at (e.g. Odoo 16.0), when its source reports one. */
  application: applicationInfoSchema.nullable(),
  /** What a restore must reproduce, counted while the backup streamed: rows per table (sources that declare how), the filestore's files and bytes. */
  proof: z.object({ tables: z.record(z.string(), z.number()).optional(), filestore: z.object({ files: z.number(), bytes: z.number() }).optional() }).nullable(),
  /** What the run reported as it went, the source's own lines included. */
  log: z.array(runLogEntry),
});

export const listBackupsInput = z.object({
  ...pageInput,
  status: z.enum(BACKUP_STATUSES).optional(),
  type: z.enum(BACKUP_TYPES).optional(),
  environmentId: z.uuid().optional(),
  projectId: z.uuid().optional(),
  /** Matches the environment or project name. */
  q: z.string().trim().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const requester = alias(users, "requester");

function selectBackups(db: DbOrTx, where: SQL | undefined) {
  return db
    .select({
      backup: backups,
      environmentName: environments.name,
      source: environments.source,
      environmentKeep: environments.keepBackups,
      environmentKeepUntil: environments.keepBackupsUntil,
      projectName: projects.name,
      storageLocationName: storageLocations.name,
      requesterEmail: requester.email,
      // Written out: a column interpolated into a correlated subquery may render unqualified.
      restoreTestedAt: sql<string | null>`(select max(d.finished_at) from restore_drills d where d.backup_id = "backups"."id" and d.status = 'completed')`,
    })
    .from(backups)
    .innerJoin(environments, eq(environments.id, backups.environmentId))
    .innerJoin(projects, eq(projects.id, backups.projectId))
    .leftJoin(storageLocations, eq(storageLocations.id, backups.storageLocationId))
    .leftJoin(requester, eq(requester.id, backups.requestedBy))
    .where(where);
}

type BackupRow = Awaited<ReturnType<typeof selectBackups>>[number];

function toItem(row: BackupRow, queuePosition: number | null, copies: BackupCopyItem[], expectedBytes: number | null) {
  const b = row.backup;
  return {
    id: b.id,
    environmentId: b.environmentId,
    environmentName: row.environmentName,
    source: row.source,
    projectId: b.projectId,
    projectName: row.projectName,
    type: b.type,
    status: b.status,
    name: b.name,
    notes: b.notes,
    requestedBy: row.requesterEmail,
    storageLocationId: b.storageLocationId,
    storageLocationName: row.storageLocationName,
    includeFilestore: b.includeFilestore,
    retentionClass: b.retentionClass,
    // A failed or unfinished backup holds nothing to keep: it never says "kept until".
    expiresAt: b.status === "completed" ? (b.expiresAt?.toISOString() ?? null) : null,
    sizeBytes: b.sizeBytes,
    verified: b.verified,
    pinned: b.pinned,
    held: b.held,
    ...(row.environmentKeep ? { keptAfterDestroyUntil: row.environmentKeepUntil?.toISOString() ?? null } : {}),
    origin: b.origin,
    trusted: b.origin !== "foreign" || b.trustedAt !== null,
    error: b.error,
    failureKind: b.failureKind,
    progress: b.progress,
    expectedBytes,
    attempt: b.attempt,
    maxAttempts: b.maxAttempts,
    queuePosition,
    copies,
    startedAt: b.startedAt?.toISOString() ?? null,
    finishedAt: b.finishedAt?.toISOString() ?? null,
    createdAt: b.createdAt.toISOString(),
    restoreTestedAt: row.restoreTestedAt ? new Date(row.restoreTestedAt).toISOString() : null,
  };
}

function pendingEnvironments(rows: BackupRow[]): string[] {
  return rows.filter((r) => r.backup.status === "pending").map((r) => r.backup.environmentId);
}

export type BackupFilters = Omit<z.infer<typeof listBackupsInput>, "limit" | "cursor">;

/** The conditions of the Backups page's filters, on the backups table alone. */
export function backupFilters(actor: Principal, input: BackupFilters): SQL[] {
  const filters: SQL[] = [eq(backups.orgId, actor.orgId)];
  if (input.status) filters.push(eq(backups.status, input.status));
  if (input.type) filters.push(eq(backups.type, input.type));
  if (input.environmentId) filters.push(eq(backups.environmentId, input.environmentId));
  if (input.projectId) filters.push(eq(backups.projectId, input.projectId));
  if (input.q) {
    // The matching environments first: the planner then walks only their backups, or the org's newest first.
    const pattern = `%${input.q.replace(/[\\%_]/g, "\\$&")}%`;
    filters.push(sql`${backups.environmentId} in (select e.id from environments e join projects p on p.id = e.project_id
      where e.org_id = ${actor.orgId} and (e.name ilike ${pattern} or p.name ilike ${pattern}))`);
  }
  if (input.from) filters.push(gte(backups.createdAt, new Date(input.from)));
  if (input.to) filters.push(lte(backups.createdAt, new Date(input.to)));
  return filters;
}

/** The organization's backups, newest first, keyset-paged on (created_at, id). */
export async function listBackups(db: DbOrTx, actor: Principal, input: z.infer<typeof listBackupsInput>) {
  const filters = backupFilters(actor, input);
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, string];
    const at = new Date(createdAt);
    filters.push(or(lt(backups.createdAt, at), and(eq(backups.createdAt, at), lt(backups.id, id)))!);
  }
  // "desc nulls last", as the (org, created_at, id) indexes are declared, so they give the order without a sort.
  const rows = await selectBackups(db, and(...filters))
    .orderBy(sql`${backups.createdAt} desc nulls last`, sql`${backups.id} desc nulls last`)
    .limit(input.limit + 1);
  const shown = rows.slice(0, input.limit);
  const [positions, copies, expected] = await Promise.all([queuePositions(db, pendingEnvironments(shown)), copiesOf(db, shown.map((r) => r.backup.id)), expectedSourceBytes(db, shown.map((r) => r.backup))]);
  return toPage(rows, input.limit, (r) => toItem(r, positions.get(r.backup.id) ?? null, copies.get(r.backup.id) ?? [], expected.get(r.backup.id) ?? null), (r) => [r.backup.createdAt.toISOString(), r.backup.id]);
}

export async function findBackup(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await selectBackups(db, and(eq(backups.id, id), eq(backups.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Backup");
  return row;
}

export async function getBackup(db: DbOrTx, actor: Principal, id: string) {
  const row = await findBackup(db, actor, id);
  const artifacts = await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, id)).orderBy(asc(backupArtifacts.createdAt));
  const [positions, copies, expected] = await Promise.all([queuePositions(db, pendingEnvironments([row])), copiesOf(db, [id]), expectedSourceBytes(db, [row.backup])]);
  return {
    ...toItem(row, positions.get(id) ?? null, copies.get(id) ?? [], expected.get(id) ?? null),
    sourceMeta: row.backup.sourceMeta,
    application: row.backup.application,
    proof: row.backup.proof,
    log: row.backup.log,
    artifacts: artifacts.map((a) => ({ kind: a.kind, key: a.key, fileName: fileNameOf(a.key), size: a.size, sha256: a.sha256 })),
  };
}
