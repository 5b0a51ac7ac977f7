import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { FAILURE_KINDS } from "@/shared/enum-values";
import { STAGES, backups, environments, projects, restores, servers, users } from "@/server/db/schema";
import { ConflictError, ExternalError, NotFoundError, ValidationError } from "@/server/errors";
import { enqueueJob, environmentQueue } from "@/server/jobs/enqueue";
import type { ConfigSchema } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { fieldsMarked, pick, valuesOf } from "@/shared/plugin-fields";
import { restoreJobKey } from "@/server/restores/job-key";
import { ARCHIVED_TARGET, UNTRUSTED_FOREIGN } from "@/server/catalog/trust-backup";
import { applicationFrom } from "@/server/backups/application-info";
import { checkCompatibility } from "@/server/restores/compatibility";
import { recordActivity } from "./activity";
import { findBackup } from "./backups";
import { createEnvironment, environmentNamed, findEnvironment } from "./environments";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { configRecord, environmentSourceConfig } from "./plugin-config";
import { queuePositions } from "./queue-positions";
import { FieldErrors } from "@/server/validation/field-errors";
import { assertCrossClientConfirmed, assertReplaceConfirmed, targetProjectOf } from "./restore-targets";
import { runLogEntry } from "./run-log-entry";
import { openSourceSession } from "@/server/servers/connect-server";
import { processLogger } from "@/server/plugins/call-context";
import { progressOutput } from "@/server/jobs/run-progress";

export const RESTORE_TARGETS = ["original", "environment", "new_environment"] as const;

export const createRestoreInput = z
  .object({
    backupId: z.uuid(),
    target: z.enum(RESTORE_TARGETS),
    /** For `environment`: the existing environment to restore into (on any server). */
    environmentId: z.uuid().optional(),
    /** For `new_environment`: the environment to create; unset source settings (and secrets) are taken from the backup's environment. */
    newEnvironment: z
      .object({
        projectId: z.uuid(),
        name: z.string().trim().min(1, "Name the new environment").max(100),
        stage: z.enum(STAGES),
        serverId: z.uuid(),
        sourceConfig: configRecord.default({}),
      })
      .optional(),
    safetyBackup: z.boolean().default(true),
    includeFilestore: z.boolean().default(true),
    neutralize: z.boolean().default(false),
    /** "RESTORE": required when the target is an existing environment (its data is replaced), not for a new one. */
    confirm: z.string().optional(),
    /**
     * Required (true) when the target is in another project (client) than the backup's: the restore puts one
     * client's data into another client's project.
     */
    crossClientConfirmed: z.boolean().optional(),
    /**
     * To restore a backup into an environment running another major version of its application (refused otherwise):
     * both versions as the refusal names them, e.g. "16.0 to 17.0". Owners only.
     */
    confirmVersions: z.string().max(200).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.target === "environment" && !input.environmentId) ctx.addIssue({ code: "custom", path: ["environmentId"], message: "Choose the environment to restore into" });
    if (input.target === "new_environment" && !input.newEnvironment) ctx.addIssue({ code: "custom", path: ["newEnvironment"], message: "Describe the new environment" });
  });


export const restoreItem = z.object({
  id: z.string(),
  backupId: z.string().nullable(),
  backupName: z.string().nullable(),
  backupTakenAt: z.string().nullable(),
  sourceEnvironmentId: z.string().nullable(),
  sourceEnvironmentName: z.string().nullable(),
  target: z.enum(RESTORE_TARGETS),
  targetEnvironmentId: z.string().nullable(),
  targetEnvironmentName: z.string().nullable(),
  targetProjectId: z.string().nullable(),
  targetServerName: z.string().nullable(),
  safetyBackup: z.boolean(),
  includeFilestore: z.boolean(),
  neutralize: z.boolean(),
  status: z.enum(["pending", "in_progress", "completed", "failed"]),
  progress: progressOutput.nullable(),
  safetyBackupId: z.string().nullable(),
  previousCopy: z.object({ description: z.string(), discardedAt: z.string().nullable() }).nullable(),
  /** For a pending restore: how many backups and restores of its target run or wait before it. */
  queuePosition: z.number().nullable(),
  report: z.object({ identityRegenerated: z.boolean(), neutralized: z.array(z.string()), erasedRecords: z.number(), erasedSubjects: z.number() }).nullable(),
  log: z.array(runLogEntry),
  error: z.string().nullable(),
  /** Why it failed: source, storage, verification, precondition, worker_lost, shutdown or stopped. */
  failureKind: z.enum(FAILURE_KINDS).nullable(),
  requestedBy: z.string().nullable(),
  startedAt: z.string().nullable(),
  swappedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const restorePage = pageSchema(restoreItem);
export const listRestoresInput = z.object({ ...pageInput, environmentId: z.uuid().optional() });

const sourceEnvironment = alias(environments, "source_environment");
const requester = alias(users, "restore_requester");
const restoredBackup = alias(backups, "restored_backup");

function selectRestores(db: DbOrTx) {
  return db
    .select({
      restore: restores,
      sourceEnvironmentName: sourceEnvironment.name,
      target: { name: environments.name, projectId: environments.projectId },
      targetServerName: servers.name,
      requesterEmail: requester.email,
      backup: { name: restoredBackup.name, finishedAt: restoredBackup.finishedAt },
    })
    .from(restores)
    .leftJoin(restoredBackup, eq(restoredBackup.id, restores.backupId))
    .leftJoin(sourceEnvironment, eq(sourceEnvironment.id, restores.sourceEnvironmentId))
    .leftJoin(environments, eq(environments.id, restores.targetEnvironmentId))
    .leftJoin(servers, eq(servers.id, environments.serverId))
    .leftJoin(requester, eq(requester.id, restores.requestedBy));
}

type RestoreRow = Awaited<ReturnType<ReturnType<typeof selectRestores>["where"]>>[number];

function iso(value: Date | string | null | undefined): string | null {
  return value ? new Date(value).toISOString() : null;
}

function toItem(row: RestoreRow, positions: Map<string, number>): z.infer<typeof restoreItem> {
  const r = row.restore;
  return {
    id: r.id,
    backupId: r.backupId,
    backupName: row.backup?.name ?? null,
    backupTakenAt: iso(row.backup?.finishedAt),
    sourceEnvironmentId: r.sourceEnvironmentId,
    sourceEnvironmentName: row.sourceEnvironmentName,
    target: r.target,
    targetEnvironmentId: r.targetEnvironmentId,
    targetEnvironmentName: row.target?.name ?? null,
    targetProjectId: row.target?.projectId ?? null,
    targetServerName: row.targetServerName,
    safetyBackup: r.safetyBackup,
    includeFilestore: r.includeFilestore,
    neutralize: r.neutralize,
    status: r.status,
    progress: r.progress,
    safetyBackupId: r.safetyBackupId,
    previousCopy: r.previousCopy ? { description: r.previousCopy.description, discardedAt: iso(r.previousCopyDiscardedAt) } : null,
    queuePosition: r.status === "pending" ? (positions.get(r.id) ?? null) : null,
    report: r.report,
    log: r.log,
    error: r.error,
    failureKind: r.failureKind,
    requestedBy: row.requesterEmail,
    startedAt: iso(r.startedAt),
    swappedAt: iso(r.swappedAt),
    finishedAt: iso(r.finishedAt),
    createdAt: r.createdAt.toISOString(),
  };
}

function pendingTargets(rows: RestoreRow[]): string[] {
  return rows.flatMap((r) => (r.restore.status === "pending" && r.restore.targetEnvironmentId ? [r.restore.targetEnvironmentId] : []));
}

async function findRestore(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await selectRestores(db).where(and(eq(restores.id, id), eq(restores.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Restore");
  return row;
}

export async function getRestore(db: DbOrTx, actor: Principal, id: string) {
  const row = await findRestore(db, actor, id);
  return toItem(row, await queuePositions(db, pendingTargets([row])));
}

/** Restores newest first: of one environment (as target or source), or of the whole organization. */
export async function listRestores(db: DbOrTx, actor: Principal, input: z.infer<typeof listRestoresInput>) {
  const filters = [eq(restores.orgId, actor.orgId)];
  if (input.environmentId) filters.push(or(eq(restores.targetEnvironmentId, input.environmentId), eq(restores.sourceEnvironmentId, input.environmentId))!);
  if (input.cursor) {
    const [createdAt, id] = decodeCursor(input.cursor, 2) as [string, string];
    const at = new Date(createdAt);
    filters.push(or(lt(restores.createdAt, at), and(eq(restores.createdAt, at), lt(restores.id, id)))!);
  }
  const rows = await selectRestores(db)
    .where(and(...filters))
    .orderBy(desc(restores.createdAt), desc(restores.id))
    .limit(input.limit + 1);
  const positions = await queuePositions(db, pendingTargets(rows.slice(0, input.limit)));
  return toPage(rows, input.limit, (r) => toItem(r, positions), (r) => [r.restore.createdAt.toISOString(), r.restore.id]);
}

/** Two environments of one server and source must not share their data location (e.g. host, port and database). */
async function assertDataLocationUnused(db: DbOrTx, actor: Principal, serverId: string, source: string, schema: ConfigSchema, config: Record<string, unknown>) {
  const location = valuesOf(config, fieldsMarked(schema, "dataLocation"));
  if (!location) return;
  const others = await db
    .select({ name: environments.name, project: projects.name, config: environments.sourceConfig })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    // A destroyed (archived) environment's data is gone: its database name is free to be used again.
    .where(and(eq(environments.orgId, actor.orgId), eq(environments.serverId, serverId), eq(environments.source, source), isNull(environments.archivedAt)));
  const clash = others.find((o) => valuesOf(o.config, fieldsMarked(schema, "dataLocation")) === location);
  if (clash) {
    const own = fieldsMarked(schema, "copyTarget").filter((name) => config[name] !== undefined);
    const what = own.map((name) => `${(schema.properties[name]?.title ?? name).toLowerCase()} "${String(config[name])}"`).join(" and ") || "the same data";
    throw new ValidationError(`"${clash.project} / ${clash.name}" already uses ${what} on this server: restore into that environment instead, or choose another`, {
      [`newEnvironment.sourceConfig.${own[0] ?? "source"}`]: `Already used by ${clash.project} / ${clash.name}`,
    });
  }
}

/**
 * Records a restore and queues it in the target environment's queue, so it never runs alongside a backup or
 * another restore of that environment: requests made meanwhile wait for it. A new environment is created
 * in the same transaction, from the request and the backup's environment.
 */
export async function createRestore(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createRestoreInput>) {
  assertReplaceConfirmed(input);
  const { backup, projectName, environmentName } = await findBackup(db, actor, input.backupId);
  if (backup.status !== "completed" || !backup.verified) throw new ConflictError("Only a completed, verified backup can be restored");
  if (backup.origin === "foreign" && !backup.trustedAt) throw new ConflictError(UNTRUSTED_FOREIGN);
  const originRow = await findEnvironment(db, actor, backup.environmentId);
  const origin = originRow.environment;
  if (input.target === "original" && origin.archivedAt) throw new ValidationError(ARCHIVED_TARGET, { target: "Archived environment" });
  const source = plugins.contribution("sources", origin.source);
  if (!source.capabilities?.includes("restore")) {
    throw new ValidationError(`The "${origin.source}" source cannot restore backups`, { backupId: "This kind of backup cannot be restored here" });
  }
  // A restore recorded as neutralized must be one: a source that cannot neutralize never claims it did.
  if (input.neutralize && !source.capabilities?.includes("neutralize")) {
    throw new ValidationError(`The "${origin.source}" source cannot neutralize a restored copy: restore without neutralize`, { neutralize: "Not supported by this source" });
  }

  const crossClient = assertCrossClientConfirmed({ id: backup.projectId, name: projectName }, await targetProjectOf(db, actor, input, { projectId: origin.projectId, projectName: originRow.projectName }), input.crossClientConfirmed);

  // Compared before anything is recorded: the target's server is asked what it runs (a few seconds at most).
  const existing = input.target === "original" ? origin : input.target === "environment" ? (await findEnvironment(db, actor, input.environmentId!)).environment : null;
  const override =
    existing && !existing.archivedAt && existing.source === origin.source
      ? await checkCompatibility(db, plugins, actor, applicationFrom(backup.application), existing, input.confirmVersions)
      : null;

  const id = await db.transaction(async (tx) => {
    let targetId: string;
    if (input.target === "original") targetId = origin.id;
    else if (input.target === "environment") {
      const target = await findEnvironment(tx, actor, input.environmentId!);
      if (target.environment.archivedAt) throw new ValidationError(ARCHIVED_TARGET, { environmentId: "Archived environment" });
      if (target.environment.source !== origin.source) {
        throw new ValidationError(`"${target.environment.name}" uses the ${target.environment.source} source; this backup can only be restored into an environment using the ${origin.source} source`, { environmentId: "Not compatible with this backup" });
      }
      targetId = target.environment.id;
    } else {
      const wanted = input.newEnvironment!;
      const sourceConfig = { ...origin.sourceConfig, ...wanted.sourceConfig };
      // The name, the data location and the settings are checked together: the wizard shows every error at once.
      const errors = new FieldErrors();
      const nameTaken = Boolean(await environmentNamed(tx, wanted.projectId, wanted.name));
      if (nameTaken) errors.add(new ValidationError(`This project already has an environment named "${wanted.name}"`, { "newEnvironment.name": "Already taken in this project" }));
      await errors.check(() => assertDataLocationUnused(tx, actor, wanted.serverId, origin.source, source.configSchema, sourceConfig));
      // The original's secrets follow only to the same server and identity (host, port, user). The copy-target
      // fields (its database) are the new environment's own: the restore creates them, and refuses existing ones.
      const inherit = {
        config: { ...environmentSourceConfig(origin), ...pick(sourceConfig, fieldsMarked(source.configSchema, "copyTarget")) },
        changedScope: wanted.serverId === origin.serverId ? [] : ["server"],
      };
      // A taken name would stop the creation at its name check: its settings are then checked on the next attempt.
      const created = nameTaken ? undefined : await errors.check(() => createEnvironment(tx, plugins, actor, { ...wanted, source: origin.source, sourceConfig }, { inherit, configField: "newEnvironment.sourceConfig" }));
      errors.throwIfAny();
      targetId = created!.id;
    }
    const target = await findEnvironment(tx, actor, targetId);
    const [row] = await tx
      .insert(restores)
      .values({
        orgId: actor.orgId,
        backupId: backup.id,
        sourceEnvironmentId: origin.id,
        target: input.target,
        targetEnvironmentId: targetId,
        safetyBackup: input.target === "new_environment" ? false : input.safetyBackup,
        includeFilestore: input.includeFilestore,
        neutralize: input.neutralize,
        requestedBy: actor.userId,
      })
      .returning({ id: restores.id });
    await enqueueJob(tx, "restore/run", { restoreId: row!.id }, { queueName: environmentQueue(targetId), jobKey: restoreJobKey(row!.id), maxAttempts: 1 });
    const options = [input.safetyBackup && input.target !== "new_environment" ? "safety backup first" : "no safety backup", input.includeFilestore ? "with filestore" : "database only", input.neutralize ? "neutralized" : null, crossClient, override].filter(Boolean);
    await recordActivity(tx, actor, {
      action: "restore.create",
      targetType: "environment",
      targetId,
      targetLabel: `${target.projectName} / ${target.environment.name}`,
      message: `Restore of the ${projectName} / ${environmentName} backup from ${(backup.finishedAt ?? backup.createdAt).toISOString()} (${options.join(", ")})`,
    });
    return row!.id;
  });
  return getRestore(db, actor, id);
}

/** Removes the data a restore moved aside, once the operator no longer needs it. */
export async function discardPreviousCopy(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) {
  const row = await findRestore(db, actor, id);
  const r = row.restore;
  if (!r.previousCopy || r.previousCopyDiscardedAt) throw new ConflictError("This restore has no kept copy to discard");
  if (!r.targetEnvironmentId) throw new ConflictError("The environment of this copy was deleted; remove the copy on the server by hand");
  const target = await findEnvironment(db, actor, r.targetEnvironmentId);
  const [server] = await db.select().from(servers).where(eq(servers.id, target.environment.serverId));
  const config = environmentSourceConfig(target.environment);
  let session;
  try {
    session = await openSourceSession(plugins, target.environment.source, config, server!);
  } catch (err) {
    throw new ExternalError((err as Error).message);
  }
  try {
    const { source } = session;
    if (!plugins.contribution("sources", target.environment.source).capabilities?.includes("restore")) throw new ValidationError(`The "${target.environment.source}" source cannot discard kept copies`);
    await source.discardPreviousCopy({ config, server: session.server, log: processLogger(`restore ${id}`) }, r.previousCopy);
  } finally {
    await session.server.close();
  }
  await db.update(restores).set({ previousCopyDiscardedAt: new Date() }).where(eq(restores.id, id));
  await recordActivity(db, actor, {
    action: "restore.discard_previous",
    targetType: "environment",
    targetId: target.environment.id,
    targetLabel: `${target.projectName} / ${target.environment.name}`,
    message: `Discarded ${r.previousCopy.description}`,
  });
  return getRestore(db, actor, id);
}
