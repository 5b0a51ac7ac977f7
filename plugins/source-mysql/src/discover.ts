import type { DiscoveredSource, SourceContext } from "@safehold/plugin-api";
import { findClient, runSql, SYSTEM_DATABASES } from "./client";
import { mysqlConfig } from "./config";

/**
 * The databases on the server that the configured user can see, with their size (from information_schema, which
 * MySQL/MariaDB keep without scanning data), the server's own left out, and those the server's database pattern
 * does not allow.
 */
export async function discoverMysqlDatabases({ config: raw, server }: SourceContext): Promise<DiscoveredSource[]> {
  const config = mysqlConfig(raw);
  const client = await findClient(server);
  const rows = await runSql(
    server,
    client,
    { ...config, database: "" },
    null,
    `SELECT s.schema_name, VERSION(), COALESCE(SUM(t.data_length + t.index_length), 0)
     FROM information_schema.schemata s LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name
     WHERE s.schema_name NOT IN (${SYSTEM_DATABASES.map((d) => `'${d}'`).join(", ")})
     GROUP BY s.schema_name ORDER BY s.schema_name`,
  );
  const found: DiscoveredSource[] = [];
  for (const [name, version, size] of rows) {
    if (!name) continue;
    try {
      server.checkDatabase(name);
    } catch {
      continue;
    }
    found.push({ name, config: { database: name }, ...(version ? { version: /^\d+\.\d+\.\d+/.exec(version)?.[0] ?? version } : {}), sizeBytes: Number(size) || 0 });
  }
  return found;
}
