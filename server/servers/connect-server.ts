import type { servers } from "@/server/db/schema";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import type { ManagedServer, PluginConfig } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { storedConfig } from "@/server/services/plugin-config";
import { manageServer } from "./managed-server";
import type { ServerPolicy } from "./server-policy";
import type { HostedSource } from "@/server/plugins/conform";

type ServerRow = typeof servers.$inferSelect;

type PolicyColumns = Pick<ServerRow, "name" | "allowedRoots" | "databasePattern" | "programs" | "compressOn">;

export function serverPolicy(row: PolicyColumns): ServerPolicy {
  return { name: row.name, allowedRoots: row.allowedRoots, databasePattern: row.databasePattern, programs: row.programs, compressOn: row.compressOn };
}

/** The server's rules for one source: the admin's, plus the databases the source's database server keeps for itself. */
export function sourcePolicy(plugins: PluginHost, sourceId: string, row: PolicyColumns): ServerPolicy {
  return { ...serverPolicy(row), reservedDatabases: plugins.contribution("sources", sourceId).reservedDatabases ?? [] };
}

/** Opens a connection to a stored server through its kind's plugin, under `policy` (the server's rules by default). The caller closes it. */
export async function connectServer(plugins: PluginHost, row: ServerRow, policy: ServerPolicy = serverPolicy(row)): Promise<ManagedServer> {
  const kind = await plugins.serverKind(row.kind);
  return manageServer(await kind.connect(storedConfig(SEALED_COLUMNS.serverSecrets, row.id, row.config, row.secrets)), policy);
}

/**
 * Checks a source configuration against the server's rules before a source gets it: every `server-path` field
 * must resolve inside the server's allowed folders and every `database-name` field match its database pattern.
 * Sources check the folders they derive from these themselves.
 */
export async function confineSourceConfig(plugins: PluginHost, sourceId: string, config: PluginConfig, server: ManagedServer): Promise<void> {
  const { configSchema } = plugins.contribution("sources", sourceId);
  for (const [name, field] of Object.entries(configSchema.properties)) {
    const value = config[name];
    if (typeof value !== "string" || value === "") continue;
    if (field.format === "server-path") await server.resolveFolder(value, "read");
    if (field.format === "database-name") server.checkDatabase(value);
  }
}

export type SourceSession = { source: HostedSource; server: ManagedServer };

/** The source plugin and a connection to the environment's server, its settings checked against the server's rules. The caller closes `server`. */
export async function openSourceSession(plugins: PluginHost, sourceId: string, config: PluginConfig, row: ServerRow): Promise<SourceSession> {
  const source = await plugins.source(sourceId);
  let server: ManagedServer;
  try {
    server = await connectServer(plugins, row, sourcePolicy(plugins, sourceId, row));
  } catch (err) {
    throw new Error(`Cannot reach server "${row.name}": ${(err as Error).message.split("\n")[0]}`);
  }
  try {
    await confineSourceConfig(plugins, sourceId, config, server);
  } catch (err) {
    await server.close().catch(() => {});
    throw err;
  }
  return { source, server };
}
