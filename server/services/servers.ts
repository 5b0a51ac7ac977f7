import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, servers } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { hasRole } from "@/server/auth/principal";
import { ConflictError, ForbiddenError, NotFoundError } from "@/server/errors";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { DEFAULT_ALLOWED_ROOTS, serverPolicyFields } from "@/server/servers/server-policy";
import { recordActivity } from "./activity";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";
import { configRecord, presentConfig, readableSecrets, storedConfig, takeConfig } from "./plugin-config";
import { processLogger, testOptions } from "@/server/plugins/call-context";

export const serverItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  config: configRecord,
  /** Folders on the server that environments may read and restore into. */
  allowedRoots: z.array(z.string()),
  /** Database names environments may use (comma-separated globs); null: any but PostgreSQL's own. */
  databasePattern: z.string().nullable(),
  /** Programs run by name mapped to the path an admin chose, e.g. `{ "pg_dump": "/usr/lib/postgresql/16/bin/pg_dump" }`. */
  programs: z.record(z.string(), z.string()),
  environmentCount: z.number(),
  createdAt: z.string(),
});
export const serverPage = pageSchema(serverItem);

export const listServersInput = z.object(pageInput);
export const createServerInput = z.object({
  name: z.string().trim().min(1, "Name the server").max(100),
  kind: z.string().min(1).max(50),
  config: configRecord.default({}),
  allowedRoots: serverPolicyFields.allowedRoots.default(DEFAULT_ALLOWED_ROOTS),
  databasePattern: serverPolicyFields.databasePattern.default(null),
  programs: serverPolicyFields.programs.default({}),
});
export const updateServerInput = z.object({
  id: z.uuid(),
  name: createServerInput.shape.name.optional(),
  config: configRecord.optional(),
  allowedRoots: serverPolicyFields.allowedRoots.optional(),
  databasePattern: serverPolicyFields.databasePattern.optional(),
  programs: serverPolicyFields.programs.optional(),
});
/** A saved server as it is (any operator), or edited or new settings (admins: they decide where the console connects). */
export const testSavedServerInput = z.object({ id: z.uuid(), config: configRecord.optional() });
export const testDraftServerInput = z.object({ kind: z.string().min(1).max(50), config: configRecord.default({}) });
export const testServerInput = z.union([testSavedServerInput, testDraftServerInput]);


type ServerRow = typeof servers.$inferSelect;
const CONFIG_FIELDS = { kindField: "kind", configField: "config" };
const SECRETS = SEALED_COLUMNS.serverSecrets;

// Counted through a join: drizzle leaves columns unqualified in a single-table select, which a correlated subquery would misread.
const environmentCount = sql<number>`count(${environments.id})::int`;

function toItem(plugins: PluginHost, row: ServerRow & { environmentCount: number }) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    config: presentConfig(plugins, "serverKinds", row.kind, row.config, readableSecrets(SECRETS, row.id, row.secrets)),
    allowedRoots: row.allowedRoots,
    databasePattern: row.databasePattern,
    programs: row.programs,
    environmentCount: row.environmentCount,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listServers(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listServersInput>) {
  const filters = [eq(servers.orgId, actor.orgId)];
  if (input.cursor) {
    const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
    filters.push(or(gt(servers.name, name), and(eq(servers.name, name), gt(servers.id, id)))!);
  }
  const rows = await db
    .select({ server: servers, environmentCount })
    .from(servers)
    .leftJoin(environments, eq(environments.serverId, servers.id))
    .where(and(...filters))
    .groupBy(servers.id)
    .orderBy(asc(servers.name), asc(servers.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, (r) => toItem(plugins, { ...r.server, environmentCount: r.environmentCount }), (r) => [r.server.name, r.server.id]);
}

export async function findServer(db: DbOrTx, actor: Principal, id: string, field?: string) {
  const [row] = await db
    .select({ server: servers, environmentCount })
    .from(servers)
    .leftJoin(environments, eq(environments.serverId, servers.id))
    .where(and(eq(servers.id, id), eq(servers.orgId, actor.orgId)))
    .groupBy(servers.id);
  if (!row) throw new NotFoundError(field ? `Server (${field})` : "Server");
  return { ...row.server, environmentCount: row.environmentCount };
}

export async function getServer(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) {
  return toItem(plugins, await findServer(db, actor, id));
}

async function assertNameFree(db: DbOrTx, actor: Principal, name: string, exceptId?: string) {
  const [clash] = await db.select({ id: servers.id }).from(servers).where(and(eq(servers.orgId, actor.orgId), eq(servers.name, name)));
  if (clash && clash.id !== exceptId) throw new ConflictError(`A server named "${name}" already exists`);
}

export async function createServer(db: DbOrTx, plugins: PluginHost, actor: Principal, given: z.input<typeof createServerInput>) {
  const input = createServerInput.parse(given);
  const prepared = await takeConfig(plugins, "serverKinds", input.kind, input.config, undefined, CONFIG_FIELDS);
  await assertNameFree(db, actor, input.name);
  const id = randomUUID();
  const [row] = await db
    .insert(servers)
    .values({
      id,
      orgId: actor.orgId,
      name: input.name,
      kind: input.kind,
      config: prepared.config,
      secrets: sealSecret(SECRETS, id, prepared.secrets),
      allowedRoots: input.allowedRoots,
      databasePattern: input.databasePattern || null,
      programs: input.programs,
    })
    .returning();
  await recordActivity(db, actor, { action: "server.create", targetType: "server", targetId: row!.id, targetLabel: row!.name, message: `Kind ${input.kind}` });
  return toItem(plugins, { ...row!, environmentCount: 0 });
}

export async function updateServer(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateServerInput>) {
  const current = await findServer(db, actor, input.id);
  if (input.name && input.name !== current.name) await assertNameFree(db, actor, input.name, current.id);
  // Secrets that do not open here (another key, another row's value) are not kept: the edit must type them again.
  const stored = { ...current.config, ...readableSecrets(SECRETS, current.id, current.secrets) };
  const prepared = await takeConfig(plugins, "serverKinds", current.kind, input.config ?? current.config, { config: stored }, CONFIG_FIELDS);
  const [row] = await db
    .update(servers)
    .set({
      name: input.name ?? current.name,
      config: prepared.config,
      secrets: sealSecret(SECRETS, current.id, prepared.secrets),
      allowedRoots: input.allowedRoots ?? current.allowedRoots,
      databasePattern: input.databasePattern === undefined ? current.databasePattern : input.databasePattern || null,
      programs: input.programs ?? current.programs,
    })
    .where(and(eq(servers.id, input.id), eq(servers.orgId, actor.orgId)))
    .returning();
  await recordActivity(db, actor, { action: "server.update", targetType: "server", targetId: row!.id, targetLabel: row!.name });
  return toItem(plugins, { ...row!, environmentCount: current.environmentCount });
}

export async function deleteServer(db: DbOrTx, actor: Principal, id: string) {
  const current = await findServer(db, actor, id);
  if (current.environmentCount > 0) {
    throw new ConflictError(`"${current.name}" still hosts ${current.environmentCount} environment(s): move or delete them first`);
  }
  await db.delete(servers).where(and(eq(servers.id, id), eq(servers.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "server.delete", targetType: "server", targetId: id, targetLabel: current.name });
}

/** Tests a stored server, optionally with edited (unsaved) settings, or a new server's settings. */
export async function testServer(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof testServerInput>): Promise<TestResult> {
  if (input.config && !hasRole(actor.role, "admin")) throw new ForbiddenError("Testing edited or new server settings needs the admin role; operators can test saved servers");
  const stored = "id" in input ? await findServer(db, actor, input.id) : undefined;
  const kindId = stored?.kind ?? ("kind" in input ? input.kind : "");
  const saved = stored ? storedConfig(SECRETS, stored.id, stored.config, stored.secrets) : undefined;
  const incoming = input.config ?? stored?.config ?? {};
  const { full } = await takeConfig(plugins, "serverKinds", kindId, incoming, saved && { config: saved }, CONFIG_FIELDS);
  const result = await (await plugins.serverKind(kindId)).testConnection({ config: full, log: processLogger(`test server ${kindId}`) }, testOptions());
  await recordActivity(db, actor, {
    action: "server.test",
    targetType: "server",
    targetId: stored?.id ?? null,
    targetLabel: stored?.name ?? `new ${kindId} server`,
    outcome: result.ok ? "success" : "failure",
    message: result.message,
  });
  return { ok: result.ok, message: result.message, details: result.details };
}
