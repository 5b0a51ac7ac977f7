import type { ApplicationInfo } from "@safehold/plugin-api";
import type postgres from "postgres";

/** What Odoo's own `dump_db_manifest` writes into a backup's manifest.json, field for field. */
export type OdooManifest = {
  odoo_dump: "1";
  db_name: string;
  version: string;
  version_info: Array<number | string>;
  major_version: string;
  pg_version: string;
  modules: Record<string, string>;
};

/** "17.0" from the base module's latest_version "17.0.1.3" (the series, then the module's own version). */
export function odooSeries(baseVersion: string): { series: string; info: Array<number | string> } {
  const [major = "0", minor = "0"] = baseVersion.split(".");
  return { series: `${major}.${minor}`, info: [Number(major) || major, Number(minor) || 0, 0, "final", 0, ""] };
}

/** "15.18" from server_version_num 150018 (and "9.6" from 90624, before PostgreSQL 10's numbering). */
function pgVersion(versionNum: number): string {
  return versionNum >= 100000 ? `${Math.floor(versionNum / 10000)}.${versionNum % 10000}` : `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}

/** Reads the manifest from an Odoo database; rejects when the database is not Odoo's. */
export async function readOdooManifest(sql: postgres.Sql, database: string): Promise<OdooManifest> {
  const [probe] = await sql<{ odoo: boolean; versionNum: number }[]>`
    select to_regclass('public.ir_module_module') is not null as odoo, current_setting('server_version_num')::int as "versionNum"`;
  if (!probe?.odoo) throw new Error(`Database "${database}" is not an Odoo database: it has no ir_module_module table`);
  const rows = await sql<{ name: string; latest_version: string | null }[]>`
    select name, latest_version from ir_module_module where state = 'installed' order by name`;
  const modules = Object.fromEntries(rows.map((r) => [r.name, r.latest_version ?? ""]));
  if (!modules.base) throw new Error(`Database "${database}" is not a usable Odoo database: its base module is not installed`);
  const { series, info } = odooSeries(modules.base);
  return { odoo_dump: "1", db_name: database, version: series, version_info: info, major_version: series, pg_version: pgVersion(probe.versionNum), modules };
}

/** The application facts Safehold records and compares: Odoo's series ("16.0"), its major ("16") and modules. */
export function odooApplication(manifest: OdooManifest): ApplicationInfo {
  return { name: "Odoo", version: manifest.version, major: manifest.version.split(".")[0] ?? manifest.version, modules: manifest.modules };
}
