import type { DiscoveredSource, SourceContext } from "@safehold/plugin-api";
import { connectThroughServer, withMaintenanceDatabase } from "@safehold/postgres-tools";
import { odooConfig } from "./config";
import { odooSeries } from "./odoo-manifest";

/**
 * The Odoo databases on the server's PostgreSQL that the configured user can open: every database it may
 * connect to, kept when it has Odoo's module table. One that refuses the connection is skipped.
 */
export async function discoverOdooDatabases({ config: raw, server }: SourceContext): Promise<DiscoveredSource[]> {
  const config = odooConfig(raw);
  const candidates = await withMaintenanceDatabase(server, config, (sql) =>
    sql<{ name: string; size: string | null }[]>`
      select datname as name, case when has_database_privilege(datname, 'CONNECT') then pg_database_size(datname)::text end as size
      from pg_database where not datistemplate and datallowconn order by datname`,
  );
  const found: DiscoveredSource[] = [];
  for (const { name, size } of candidates) {
    if (size === null) continue;
    const sql = connectThroughServer(server, { ...config, database: name });
    try {
      const [probe] = await sql<{ odoo: boolean }[]>`select to_regclass('public.ir_module_module') is not null as odoo`;
      if (!probe?.odoo) continue;
      const [base] = await sql<{ version: string | null }[]>`select latest_version as version from ir_module_module where name = 'base'`;
      found.push({ name, config: { database: name }, ...(base?.version ? { version: odooSeries(base.version).series } : {}), sizeBytes: Number(size) });
    } catch {
      // Not ours to open after all (pg_hba, a database being dropped): not an Odoo database we can back up.
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  return found;
}
