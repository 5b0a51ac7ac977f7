import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { DESTRUCTION_STATUSES, KEEP_FINAL_BACKUPS, destructions, environments, projects } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { enqueueJob, environmentQueue } from "@/server/jobs/enqueue";
import { destructionJobKey } from "@/server/lifecycle/job-key";
import { KEEP_FINAL_LABELS } from "@/server/lifecycle/keep-final-backups";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { findEnvironment } from "./environments";
import { findProject } from "./projects";

export const destroyEnvironmentInput = z.object({
  id: z.uuid(),
  /** The environment's name, typed: what is destroyed is named, not just clicked. */
  confirm: z.string(),
  /** How long its backups are kept once it is archived (GFS no longer applies to them). */
  keepBackups: z.enum(KEEP_FINAL_BACKUPS),
});
export const offboardProjectInput = z.object({ id: z.uuid(), confirm: z.string(), keepBackups: z.enum(KEEP_FINAL_BACKUPS) });
export const listDestructionsInput = z.object({ environmentId: z.uuid().optional(), projectId: z.uuid().optional() });

export const destructionItem = z.object({
  id: z.string(),
  environmentId: z.string().nullable(),
  projectId: z.string().nullable(),
  label: z.string(),
  offboarding: z.boolean(),
  keepBackups: z.enum(KEEP_FINAL_BACKUPS),
  /** pending (queued), backing_up (the final backup), destroying (removing its data), completed or failed. */
  status: z.enum(DESTRUCTION_STATUSES),
  /** The final `pre_destroy` backup, once it was started. */
  backupId: z.string().nullable(),
  removed: z.array(z.string()),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

type Row = typeof destructions.$inferSelect;

function toItem(d: Row): z.infer<typeof destructionItem> {
  return {
    id: d.id,
    environmentId: d.environmentId,
    projectId: d.projectId,
    label: d.label,
    offboarding: d.offboarding,
    keepBackups: d.keepBackups,
    status: d.status,
    backupId: d.backupId,
    removed: d.removed,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}

function assertCanDestroy(plugins: PluginHost, environment: { name: string; source: string; archivedAt: Date | null }) {
  if (environment.archivedAt) throw new ConflictError(`"${environment.name}" is already archived`);
  if (!plugins.contribution("sources", environment.source).capabilities?.includes("destroy")) {
    throw new ValidationError(`The "${environment.source}" source cannot remove an environment's data: it has no destroy capability`);
  }
}

async function assertNoDestructionRunning(db: DbOrTx, environmentIds: string[]) {
  const [running] = await db
    .select({ label: destructions.label })
    .from(destructions)
    .where(and(inArray(destructions.environmentId, environmentIds), inArray(destructions.status, ["pending", "backing_up", "destroying"])));
  if (running) throw new ConflictError(`"${running.label}" is already being destroyed`);
}

/** Records a destroy and queues it in the environment's queue; the runner (server/lifecycle/run-destruction.ts) does the work. */
async function queueDestruction(db: DbOrTx, actor: Principal, environment: { id: string; projectId: string }, label: string, keepBackups: Row["keepBackups"], offboarding: boolean) {
  const [row] = await db.insert(destructions).values({ orgId: actor.orgId, environmentId: environment.id, projectId: environment.projectId, label, keepBackups, offboarding, requestedBy: actor.userId }).returning();
  await enqueueJob(db, "environment/destroy", { destructionId: row!.id }, { queueName: environmentQueue(environment.id), jobKey: destructionJobKey(row!.id), maxAttempts: 1 });
  return row!;
}

export async function destroyEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof destroyEnvironmentInput>) {
  const found = await findEnvironment(db, actor, input.id);
  const e = found.environment;
  if (input.confirm !== e.name) throw new ValidationError(`Type the environment's name, "${e.name}", to confirm`, { confirm: `Type "${e.name}" to confirm` });
  assertCanDestroy(plugins, e);
  const label = `${found.projectName} / ${e.name}`;
  const row = await db.transaction(async (tx) => {
    await assertNoDestructionRunning(tx, [e.id]);
    const row = await queueDestruction(tx, actor, e, label, input.keepBackups, false);
    await recordActivity(tx, actor, {
      action: "environment.destroy_request",
      targetType: "environment",
      targetId: e.id,
      targetLabel: label,
      message: `Destroy requested: a final backup, then its data removed from ${found.serverName}; backups kept ${KEEP_FINAL_LABELS[input.keepBackups]}`,
    });
    return row;
  });
  return toItem(row);
}

/** "Offboard client": destroys every active environment of the project; the last one to finish archives the project. */
export async function offboardProject(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof offboardProjectInput>) {
  const project = await findProject(db, actor, input.id);
  if (project.archivedAt) throw new ConflictError(`"${project.name}" is already archived`);
  if (input.confirm !== project.name) throw new ValidationError(`Type the project's name, "${project.name}", to confirm`, { confirm: `Type "${project.name}" to confirm` });
  const active = await db
    .select()
    .from(environments)
    .where(and(eq(environments.projectId, project.id), eq(environments.orgId, actor.orgId), isNull(environments.archivedAt)));
  for (const e of active) assertCanDestroy(plugins, e);
  const rows = await db.transaction(async (tx) => {
    if (active.length) await assertNoDestructionRunning(tx, active.map((e) => e.id));
    const rows = [];
    for (const e of active) rows.push(await queueDestruction(tx, actor, e, `${project.name} / ${e.name}`, input.keepBackups, true));
    if (!active.length) await tx.update(projects).set({ archivedAt: new Date() }).where(eq(projects.id, project.id));
    await recordActivity(tx, actor, {
      action: "project.offboard_request",
      targetType: "project",
      targetId: project.id,
      targetLabel: project.name,
      message: active.length
        ? `Offboarding: ${active.length} environment(s) to destroy (${active.map((e) => e.name).join(", ")}); backups kept ${KEEP_FINAL_LABELS[input.keepBackups]}`
        : "Offboarded: it had no active environment, so it was archived at once",
    });
    return rows;
  });
  return rows.map(toItem);
}

export async function getDestruction(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db.select().from(destructions).where(and(eq(destructions.id, id), eq(destructions.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Destroy");
  return toItem(row);
}

/** The destroys of an environment or a project, newest first (at most 50). */
export async function listDestructions(db: DbOrTx, actor: Principal, input: z.infer<typeof listDestructionsInput>) {
  const filters = [eq(destructions.orgId, actor.orgId)];
  if (input.environmentId) filters.push(eq(destructions.environmentId, input.environmentId));
  if (input.projectId) filters.push(eq(destructions.projectId, input.projectId));
  const rows = await db.select().from(destructions).where(and(...filters)).orderBy(desc(destructions.createdAt)).limit(50);
  return rows.map(toItem);
}
