import { posix } from "node:path";
import type { PluginConfig } from "@safehold/plugin-api";

export type MysqlConfig = { host: string; port: number; user: string; password: string; database: string; uploadsDir: string };

/** The host validated the config against the manifest schema; this only gives it a type. */
export function mysqlConfig(config: PluginConfig): MysqlConfig {
  return {
    host: String(config.host ?? "127.0.0.1"),
    port: Number(config.port ?? 3306),
    user: String(config.user ?? ""),
    password: String(config.password ?? ""),
    database: String(config.database ?? ""),
    uploadsDir: String(config.uploadsDir ?? ""),
  };
}

/** The uploads folder as an absolute, normalized path; empty when none is configured. */
export function uploadsFolder(config: MysqlConfig): string {
  if (!config.uploadsDir) return "";
  const normalized = posix.normalize(config.uploadsDir).replace(/\/+$/, "");
  if (!posix.isAbsolute(normalized) || normalized === "") throw new Error(`The uploads folder must be an absolute path on the server, not "${config.uploadsDir}"`);
  return normalized;
}
