import type { PluginConfig } from "@safehold/plugin-api";

export type PostgresConfig = { host: string; port: number; user: string; password: string; database: string };

/** The host validated the config against the manifest schema; this only gives it a type. */
export function postgresConfig(config: PluginConfig): PostgresConfig {
  return {
    host: String(config.host ?? "127.0.0.1"),
    port: Number(config.port ?? 5432),
    user: String(config.user ?? ""),
    password: String(config.password ?? ""),
    database: String(config.database ?? ""),
  };
}
