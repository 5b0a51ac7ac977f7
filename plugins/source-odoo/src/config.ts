import { posix } from "node:path";
import type { PluginConfig } from "@safehold/plugin-api";
import { type PostgresConfig, postgresConfig } from "@safehold/postgres-tools";

export type OdooConfig = PostgresConfig & {
  /** Odoo's data_dir. */
  dataDir: string;
  /** The filestore override, empty for `<dataDir>/filestore/<database>`. */
  filestorePath: string;
};

/** The host validated the config against the manifest schema; this only gives it a type. */
export function odooConfig(config: PluginConfig): OdooConfig {
  return { ...postgresConfig(config), dataDir: String(config.dataDir ?? ""), filestorePath: String(config.filestorePath ?? "") };
}

function absoluteFolder(folder: string, setting: string): string {
  const normalized = posix.normalize(folder).replace(/\/+$/, "");
  if (!posix.isAbsolute(normalized) || normalized === "") throw new Error(`The ${setting} must be an absolute path on the server, not "${folder}"`);
  return normalized;
}

/** The database's filestore folder on the server: `<dataDir>/filestore/<database>`, unless overridden. */
export function filestoreFolder(config: OdooConfig): string {
  if (config.filestorePath) return absoluteFolder(config.filestorePath, "filestore folder");
  if (!config.database || /\/|^\.\.?$/.test(config.database)) throw new Error(`"${config.database}" cannot name a filestore folder`);
  return posix.join(absoluteFolder(config.dataDir, "Odoo data folder"), "filestore", config.database);
}
