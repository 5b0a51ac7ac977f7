import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, servers } from "@/server/db/schema";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import type { TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { DEFAULT_ALLOWED_ROOTS, serverPolicyFields } from "@/server/servers/server-policy";
import { configuredResource } from "./configured-resource";
import { pageInput, pageSchema } from "./pagination";
import { configRecord } from "./plugin-config";
import { processLogger, testOptions } from "@/server/plugins/call-context";

export const serverItem = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  config: configRecord,
  /** Folders on the server that environments may read and restore into. */
  allowedRoots: z.array(z.string()),
  /** Database names environments may use (comma-separated globs); null: any but the database server's own (each source declares them). */
  databasePattern: z.string().nullable(),
  /** Programs run by name mapped to the path an admin chose, e.g. `{ "pg_dump": "/usr/lib/postgresql/16/bin/pg_dump" }`. */
  programs: z.record(z.string(), z.string()),
  /** Where backups and restores compress: `server` when it can (fewer bytes cross the link), or always on the console (`worker`). */
  compressOn: serverPolicyFields.compressOn,
  /** How many backups, restores and drills may run on the server at once; more wait in line. */
  maxConcurrentOperations: z.number(),
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
  compressOn: serverPolicyFields.compressOn.default("server"),
  maxConcurrentOperations: serverPolicyFields.maxConcurrentOperations.default(2),
});
export const updateServerInput = z.object({
  id: z.uuid(),
  name: createServerInput.shape.name.optional(),
  config: configRecord.optional(),
  allowedRoots: serverPolicyFields.allowedRoots.optional(),
  databasePattern: serverPolicyFields.databasePattern.optional(),
  programs: serverPolicyFields.programs.optional(),
  compressOn: serverPolicyFields.compressOn.optional(),
  maxConcurrentOperations: serverPolicyFields.maxConcurrentOperations.optional(),
});
/** A saved server as it is (any operator), or edited or new settings (admins: they decide where the console connects). */
export const testSavedServerInput = z.object({ id: z.uuid(), config: configRecord.optional() });
export const testDraftServerInput = z.object({ kind: z.string().min(1).max(50), config: configRecord.default({}) });
export const testServerInput = z.union([testSavedServerInput, testDraftServerInput]);


type ServerRow = typeof servers.$inferSelect;
type ServerUsage = { environmentCount: number };

const resource = configuredResource<"kind", ServerRow, ServerUsage, z.infer<typeof serverItem>, z.infer<typeof createServerInput>, z.infer<typeof updateServerInput>>({
  table: servers,
  noun: "server",
  contribution: "serverKinds",
  kindField: "kind",
  kindLabel: "Kind",
  secrets: SEALED_COLUMNS.serverSecrets,
  activity: "server",
  roles: { read: "viewer", write: "admin", test: "operator", testSettings: "admin" },
  usage: {
    join: { table: environments, on: eq(environments.serverId, servers.id) },
    fields: { environmentCount: sql<number>`count(${environments.id})::int` },
    none: { environmentCount: 0 },
  },
  deleteGuard: (row) => (row.environmentCount > 0 ? `"${row.name}" still hosts ${row.environmentCount} environment(s): move or delete them first` : undefined),
  toItem: (row, config) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    config,
    allowedRoots: row.allowedRoots,
    databasePattern: row.databasePattern,
    programs: row.programs,
    compressOn: row.compressOn,
    maxConcurrentOperations: row.maxConcurrentOperations,
    environmentCount: row.environmentCount,
    createdAt: row.createdAt.toISOString(),
  }),
  create: {
    prepare: async (_tx, _actor, input) => ({
      values: { allowedRoots: input.allowedRoots, databasePattern: input.databasePattern || null, programs: input.programs, compressOn: input.compressOn, maxConcurrentOperations: input.maxConcurrentOperations },
    }),
  },
  update: {
    prepare: async (_tx, _actor, input, current) => ({
      allowedRoots: input.allowedRoots ?? current.allowedRoots,
      databasePattern: input.databasePattern === undefined ? current.databasePattern : input.databasePattern || null,
      programs: input.programs ?? current.programs,
      compressOn: input.compressOn ?? current.compressOn,
      maxConcurrentOperations: input.maxConcurrentOperations ?? current.maxConcurrentOperations,
    }),
  },
  test: {
    settingsForbidden: "Testing edited or new server settings needs the admin role; operators can test saved servers",
    draftLabel: (kind) => `new ${kind} server`,
    probe: async ({ plugins, contributionId, settings }) => {
      const config = await settings();
      const result = await (await plugins.serverKind(contributionId)).testConnection({ config, log: processLogger(`test server ${contributionId}`) }, testOptions());
      return { ok: result.ok, message: result.message, details: result.details };
    },
  },
});

export const listServers = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof listServersInput>) => resource.list(db, plugins, actor, input);
/** The server with its environment count, in the actor's organization; `field` names the input that pointed at it in a NotFoundError. */
export const findServer = (db: DbOrTx, actor: Principal, id: string, field?: string) => resource.find(db, actor, id, field);
export const getServer = (db: DbOrTx, plugins: PluginHost, actor: Principal, id: string) => resource.get(db, plugins, actor, id);
export const createServer = (db: DbOrTx, plugins: PluginHost, actor: Principal, given: z.input<typeof createServerInput>) => resource.create(db, plugins, actor, createServerInput.parse(given));
export const updateServer = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof updateServerInput>) => resource.update(db, plugins, actor, input);
/** Refused while environments still use the server. */
export const deleteServer = (db: DbOrTx, actor: Principal, id: string) => resource.delete(db, actor, id);
/** Tests a stored server, optionally with edited (unsaved) settings, or a new server's settings. */
export const testServer = (db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof testServerInput>): Promise<TestResult> => resource.test(db, plugins, actor, input);
