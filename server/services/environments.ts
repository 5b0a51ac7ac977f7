import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { KEEP_FINAL_BACKUPS, STAGES, backups, environments, projects, servers } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { ConflictError, NotFoundError } from "@/server/errors";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { policySummaries, policySummary } from "@/server/policies/policy-summaries";
import { activeRestores } from "@/server/restores/active-restores";
import { recordActivity } from "./activity";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { openSourceSession } from "@/server/servers/connect-server";
import { assertSourceSettingsAllowed } from "@/server/servers/source-settings";
import { configRecord, environmentSourceConfig, presentConfig, readableSecrets, takeConfig, type StoredConfig } from "./plugin-config";
import { findProject } from "./projects";
import { findServer } from "./servers";
import { processLogger, testOptions } from "@/server/plugins/call-context";

export const environmentItem = z.object({
  id: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  serverId: z.string(),
  serverName: z.string(),
  name: z.string(),
  stage: z.enum(STAGES),
  source: z.string(),
  sourceConfig: configRecord,
  /** A restore into it is queued or running: it is in maintenance until the restore ends. */
  restoring: z.boolean(),
  /** Set on an archived stand-in a catalog import made for backups of an environment this console no longer knew. */
  archivedAt: z.string().nullable(),
  /** For an environment archived by "Destroy environment": how long its backups are kept, and until when (null: permanently). */
  keepBackups: z.enum(KEEP_FINAL_BACKUPS).nullable(),
  keepBackupsUntil: z.string().nullable(),
  createdAt: z.string(),
  /** In lists only: the schedule of its effective backup policy, and whether it overrides the organization's default. */
  policy: policySummary.optional(),
});
export const environmentPage = pageSchema(environmentItem);

export const listEnvironmentsInput = z.object({
  ...pageInput,
  projectId: z.uuid().optional(),
  serverId: z.uuid().optional(),
  /** Only environments of this source type (e.g. the ones a backup can be restored into). */
  source: z.string().max(50).optional(),
  q: z.string().trim().max(100).optional(),
  /** `active` (the default: archived environments are out of active lists), `archived` or `all`. */
  view: z.enum(["active", "archived", "all"]).default("active"),
});
export const createEnvironmentInput = z.object({
  projectId: z.uuid(),
  name: z.string().trim().min(1, "Name the environment").max(100),
  stage: z.enum(STAGES),
  serverId: z.uuid(),
  source: z.string().min(1).max(50),
  sourceConfig: configRecord.default({}),
});
export const updateEnvironmentInput = z.object({
  id: z.uuid(),
  name: createEnvironmentInput.shape.name.optional(),
  stage: z.enum(STAGES).optional(),
  serverId: z.uuid().optional(),
  sourceConfig: configRecord.optional(),
});
export const testSavedEnvironmentInput = z.object({ id: z.uuid(), serverId: z.uuid().optional(), sourceConfig: configRecord.optional() });
export const testDraftEnvironmentInput = z.object({ serverId: z.uuid(), source: z.string().min(1).max(50), sourceConfig: configRecord.default({}) });
export const testEnvironmentInput = z.union([testSavedEnvironmentInput, testDraftEnvironmentInput]);

type EnvironmentRow = typeof environments.$inferSelect;
const CONFIG_FIELDS = { kindField: "source", configField: "sourceConfig" };
const SECRETS = SEALED_COLUMNS.environmentSourceSecrets;

function select(db: DbOrTx, where: SQL | undefined) {
  return db
    .select({ environment: environments, projectName: projects.name, serverName: servers.name })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .innerJoin(servers, eq(servers.id, environments.serverId))
    .where(where);
}

function toItem(plugins: PluginHost, row: { environment: EnvironmentRow; projectName: string; serverName: string }, restoring = false) {
  const e = row.environment;
  return {
    id: e.id,
    projectId: e.projectId,
    projectName: row.projectName,
    serverId: e.serverId,
    serverName: row.serverName,
    name: e.name,
    stage: e.stage,
    source: e.source,
    sourceConfig: presentConfig(plugins, "sources", e.source, e.sourceConfig, readableSecrets(SECRETS, e.id, e.sourceSecrets)),
    restoring,
    archivedAt: e.archivedAt?.toISOString() ?? null,
    keepBackups: e.keepBackups,
    keepBackupsUntil: e.keepBackupsUntil?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
  };
}

export async function listEnvironments(db: DbOrTx, plugins: PluginHost, actor: Principal, input: Omit<z.infer<typeof listEnvironmentsInput>, "view"> & { view?: "active" | "archived" | "all" }) {
  const filters = [eq(environments.orgId, actor.orgId)];
  if (input.projectId) filters.push(eq(environments.projectId, input.projectId));
  if (input.serverId) filters.push(eq(environments.serverId, input.serverId));
  if (input.source) filters.push(eq(environments.source, input.source));
  if ((input.view ?? "active") === "active") filters.push(isNull(environments.archivedAt));
  if (input.view === "archived") filters.push(isNotNull(environments.archivedAt));
  if (input.q) filters.push(sql`(${environments.name} ilike ${`%${input.q}%`} or ${projects.name} ilike ${`%${input.q}%`})`);
  if (input.cursor) {
    const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
    filters.push(or(gt(environments.name, name), and(eq(environments.name, name), gt(environments.id, id)))!);
  }
  const rows = await select(db, and(...filters))
    .orderBy(asc(environments.name), asc(environments.id))
    .limit(input.limit + 1);
  const ids = rows.map((r) => r.environment.id);
  const restoring = await restoringIds(db, ids);
  const policies = await policySummaries(db, actor.orgId, ids);
  return toPage(rows, input.limit, (r) => ({ ...toItem(plugins, r, restoring.has(r.environment.id)), policy: policies.get(r.environment.id) }), (r) => [r.environment.name, r.environment.id]);
}

export async function findEnvironment(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await select(db, and(eq(environments.id, id), eq(environments.orgId, actor.orgId)));
  if (!row) throw new NotFoundError("Environment");
  return row;
}

async function restoringIds(db: DbOrTx, ids: string[]): Promise<Set<string>> {
  return new Set((await activeRestores(db, ids)).map((r) => r.environmentId!));
}

export async function getEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) {
  const row = await findEnvironment(db, actor, id);
  return toItem(plugins, row, (await restoringIds(db, [id])).has(id));
}

/** The id of the project's environment with this name, if there is one. */
export async function environmentNamed(db: DbOrTx, projectId: string, name: string): Promise<string | undefined> {
  const [clash] = await db
    .select({ id: environments.id })
    .from(environments)
    .where(and(eq(environments.projectId, projectId), eq(environments.name, name)));
  return clash?.id;
}

async function assertNameFree(db: DbOrTx, projectId: string, name: string, exceptId?: string) {
  const clash = await environmentNamed(db, projectId, name);
  if (clash && clash !== exceptId) throw new ConflictError(`This project already has an environment named "${name}"`);
}

/**
 * `inherit`: a configuration whose secrets a masked or empty field takes while the new one points where they were
 * stored for (a restore's new environment reuses the original's).
 */
export async function createEnvironment(
  db: DbOrTx,
  plugins: PluginHost,
  actor: Principal,
  input: z.infer<typeof createEnvironmentInput>,
  options: { inherit?: StoredConfig; configField?: string } = {},
) {
  const project = await findProject(db, actor, input.projectId);
  const server = await findServer(db, actor, input.serverId);
  const fields = { ...CONFIG_FIELDS, configField: options.configField ?? CONFIG_FIELDS.configField };
  const prepared = await takeConfig(plugins, "sources", input.source, input.sourceConfig, options.inherit, fields);
  assertSourceSettingsAllowed(plugins, input.source, prepared.full, server, fields.configField);
  await assertNameFree(db, project.id, input.name);
  const id = randomUUID();
  const [row] = await db
    .insert(environments)
    .values({
      id,
      orgId: actor.orgId,
      projectId: project.id,
      serverId: server.id,
      name: input.name,
      stage: input.stage,
      source: input.source,
      sourceConfig: prepared.config,
      sourceSecrets: sealSecret(SECRETS, id, prepared.secrets),
    })
    .returning();
  await recordActivity(db, actor, {
    action: "environment.create",
    targetType: "environment",
    targetId: row!.id,
    targetLabel: `${project.name} / ${row!.name}`,
    message: `${input.stage}, ${input.source} on ${server.name}`,
  });
  return toItem(plugins, { environment: row!, projectName: project.name, serverName: server.name });
}

export async function updateEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateEnvironmentInput>) {
  const current = await findEnvironment(db, actor, input.id);
  const e = current.environment;
  const server = input.serverId ? await findServer(db, actor, input.serverId) : undefined;
  if (input.name && input.name !== e.name) await assertNameFree(db, e.projectId, input.name, e.id);
  // Secrets that do not open here (another key, another row's value) are not kept: the edit must type them again.
  const stored = { ...e.sourceConfig, ...readableSecrets(SECRETS, e.id, e.sourceSecrets) };
  // The secrets were stored for this server's view of the host: on another server they must be typed again.
  const scope = server && server.id !== e.serverId ? ["server"] : [];
  // Without new settings the plain ones are taken, so the secrets are put back only under the rule above.
  const prepared = await takeConfig(plugins, "sources", e.source, input.sourceConfig ?? e.sourceConfig, { config: stored, changedScope: scope }, CONFIG_FIELDS);
  assertSourceSettingsAllowed(plugins, e.source, prepared.full, server ?? (await findServer(db, actor, e.serverId)), CONFIG_FIELDS.configField);
  const [row] = await db
    .update(environments)
    .set({
      name: input.name ?? e.name,
      stage: input.stage ?? e.stage,
      serverId: server?.id ?? e.serverId,
      sourceConfig: prepared.config,
      sourceSecrets: sealSecret(SECRETS, e.id, prepared.secrets),
    })
    .where(and(eq(environments.id, e.id), eq(environments.orgId, actor.orgId)))
    .returning();
  await recordActivity(db, actor, { action: "environment.update", targetType: "environment", targetId: e.id, targetLabel: `${current.projectName} / ${row!.name}` });
  return toItem(plugins, { environment: row!, projectName: current.projectName, serverName: server?.name ?? current.serverName });
}

export async function deleteEnvironment(db: DbOrTx, actor: Principal, id: string) {
  const current = await findEnvironment(db, actor, id);
  if ((await restoringIds(db, [id])).has(id)) throw new ConflictError(`"${current.environment.name}" is being restored: delete it once the restore has ended`);
  const [kept] = await db.select({ n: sql<number>`count(*)::int` }).from(backups).where(eq(backups.environmentId, id));
  if ((kept?.n ?? 0) > 0) {
    throw new ConflictError(`"${current.environment.name}" still has ${kept!.n} backup(s): delete them first, so no backup is lost by accident`);
  }
  await db.delete(environments).where(and(eq(environments.id, id), eq(environments.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "environment.delete", targetType: "environment", targetId: id, targetLabel: `${current.projectName} / ${current.environment.name}` });
}

/** Tests a source through its server: a stored environment (optionally with edited settings) or a new one's settings. */
export async function testEnvironment(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof testEnvironmentInput>): Promise<TestResult> {
  const found = "id" in input ? await findEnvironment(db, actor, input.id) : undefined;
  const stored = found?.environment;
  const source = stored?.source ?? ("source" in input ? input.source : "");
  const server = await findServer(db, actor, input.serverId ?? stored!.serverId);
  const storedConfig = stored ? environmentSourceConfig(stored) : undefined;
  const incoming = input.sourceConfig ?? stored?.sourceConfig ?? {};
  const scope = stored && server.id !== stored.serverId ? ["server"] : [];
  const { full } = await takeConfig(plugins, "sources", source, incoming, storedConfig && { config: storedConfig, changedScope: scope }, CONFIG_FIELDS);
  assertSourceSettingsAllowed(plugins, source, full, server, CONFIG_FIELDS.configField);
  let result: TestResult;
  try {
    const session = await openSourceSession(plugins, source, full, server);
    try {
      result = await session.source.testConnection({ config: full, server: session.server, log: processLogger(`test source ${source}`) }, testOptions());
    } finally {
      await session.server.close();
    }
  } catch (err) {
    result = { ok: false, message: (err as Error).message };
  }
  await recordActivity(db, actor, {
    action: "environment.test",
    targetType: "environment",
    targetId: stored?.id ?? null,
    targetLabel: found ? `${found.projectName} / ${found.environment.name}` : `new ${source} environment`,
    outcome: result.ok ? "success" : "failure",
    message: result.message,
  });
  return { ok: result.ok, message: result.message };
}
