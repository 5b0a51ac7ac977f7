import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { backups, destructions, environments, projects } from "@/server/db/schema";
import { ConflictError, ValidationError } from "@/server/errors";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { deleteBackup } from "./backup-lifecycle";
import { findEnvironment } from "./environments";
import { findProject } from "./projects";

export const purgeInput = z.object({
  id: z.uuid(),
  /** The environment's (or project's) name, typed: purging removes its backups from every storage location for good. */
  confirm: z.string(),
});

/**
 * Removes an archived environment's backups from every storage location (through the one backup deletion path:
 * second copies first, then the primary location), then the environment. A location that cannot be reached
 * stops the purge with the backups not yet removed kept; running it again continues.
 */
async function purgeArchivedEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, environment: { id: string; name: string }, label: string): Promise<number> {
  const [busy] = await db
    .select({ id: destructions.id })
    .from(destructions)
    .where(and(eq(destructions.environmentId, environment.id), inArray(destructions.status, ["pending", "backing_up", "destroying"])));
  if (busy) throw new ConflictError(`"${label}" is still being destroyed: purge it once that has ended`);
  const held = await db.select({ id: backups.id, status: backups.status }).from(backups).where(eq(backups.environmentId, environment.id));
  if (held.some((b) => b.status === "in_progress" || b.status === "uploading")) throw new ConflictError(`A backup of "${label}" is running: purge it once it has finished`);
  for (const b of held) await deleteBackup(db, plugins, actor, b.id);
  await db.delete(environments).where(and(eq(environments.id, environment.id), eq(environments.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "environment.purge", targetType: "environment", targetId: environment.id, targetLabel: label, message: `Purged with its ${held.length} backup(s), removed from every storage location` });
  return held.length;
}

export async function purgeEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof purgeInput>): Promise<void> {
  const found = await findEnvironment(db, actor, input.id);
  const e = found.environment;
  if (!e.archivedAt) throw new ConflictError(`"${e.name}" is not archived: only an archived environment can be purged (destroy it first)`);
  if (input.confirm !== e.name) throw new ValidationError(`Type the environment's name, "${e.name}", to confirm`, { confirm: `Type "${e.name}" to confirm` });
  await purgeArchivedEnvironment(db, plugins, actor, e, `${found.projectName} / ${e.name}`);
}

/** Purges an offboarded project: every (archived) environment with its backups, then the project. */
export async function purgeProject(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof purgeInput>): Promise<void> {
  const project = await findProject(db, actor, input.id);
  if (!project.archivedAt) throw new ConflictError(`"${project.name}" is not archived: offboard it first`);
  if (input.confirm !== project.name) throw new ValidationError(`Type the project's name, "${project.name}", to confirm`, { confirm: `Type "${project.name}" to confirm` });
  const list = await db.select().from(environments).where(and(eq(environments.projectId, project.id), eq(environments.orgId, actor.orgId)));
  const active = list.find((e) => !e.archivedAt);
  if (active) throw new ConflictError(`"${project.name} / ${active.name}" is not archived: destroy it first`);
  let count = 0;
  for (const e of list) count += await purgeArchivedEnvironment(db, plugins, actor, e, `${project.name} / ${e.name}`);
  await db.delete(projects).where(and(eq(projects.id, project.id), eq(projects.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "project.purge", targetType: "project", targetId: project.id, targetLabel: project.name, message: `Purged with ${list.length} environment(s) and ${count} backup(s)` });
}
