import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { BACKUP_STATUSES, BACKUP_TYPES, RETENTION_CLASSES, backups, environments, projects } from "@/server/db/schema";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";

export const backupItem = z.object({
  id: z.string(),
  environmentId: z.string(),
  environmentName: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  type: z.enum(BACKUP_TYPES),
  status: z.enum(BACKUP_STATUSES),
  name: z.string(),
  retentionClass: z.enum(RETENTION_CLASSES),
  sizeBytes: z.number().nullable(),
  verified: z.boolean(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const backupPage = pageSchema(backupItem);

export const listBackupsInput = z.object({
  ...pageInput,
  status: z.enum(BACKUP_STATUSES).optional(),
  type: z.enum(BACKUP_TYPES).optional(),
  environmentId: z.uuid().optional(),
  projectId: z.uuid().optional(),
});

/** The organization's backups, newest first, keyset-paged on (created_at, id). */
export async function listBackups(db: DbOrTx, actor: Principal, input: z.infer<typeof listBackupsInput>) {
  const filters: SQL[] = [eq(backups.orgId, actor.orgId)];
  if (input.status) filters.push(eq(backups.status, input.status));
  if (input.type) filters.push(eq(backups.type, input.type));
  if (input.environmentId) filters.push(eq(backups.environmentId, input.environmentId));
  if (input.projectId) filters.push(eq(backups.projectId, input.projectId));
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, string];
    const at = new Date(createdAt);
    filters.push(or(lt(backups.createdAt, at), and(eq(backups.createdAt, at), lt(backups.id, id)))!);
  }
  const rows = await db
    .select({ backup: backups, environmentName: environments.name, projectName: projects.name })
    .from(backups)
    .innerJoin(environments, eq(environments.id, backups.environmentId))
    .innerJoin(projects, eq(projects.id, backups.projectId))
    .where(and(...filters))
    .orderBy(desc(backups.createdAt), desc(backups.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    ({ backup: b, environmentName, projectName }) => ({
      id: b.id,
      environmentId: b.environmentId,
      environmentName,
      projectId: b.projectId,
      projectName,
      type: b.type,
      status: b.status,
      name: b.name,
      retentionClass: b.retentionClass,
      sizeBytes: b.sizeBytes,
      verified: b.verified,
      error: b.error,
      startedAt: b.startedAt?.toISOString() ?? null,
      finishedAt: b.finishedAt?.toISOString() ?? null,
      createdAt: b.createdAt.toISOString(),
    }),
    (r) => [r.backup.createdAt.toISOString(), r.backup.id],
  );
}
