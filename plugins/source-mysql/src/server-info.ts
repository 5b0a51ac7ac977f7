import type { ServerConnection } from "@safehold/plugin-api";
import { runSql, type ClientTool } from "./client";
import type { MysqlConfig } from "./config";

export type ServerInfo = { version: string; flavour: "MariaDB" | "MySQL"; sizeBytes: number; charset: string; collation: string };

/** The oldest releases whose dumps (routines, triggers, events, utf8mb4, consistent snapshots) this source trusts. */
const MINIMUM = { MariaDB: [10, 3], MySQL: [5, 7] } as const;

/** Connects as the environment would, to its database, and reads the server's version and the database's size. */
export async function readServerInfo(server: ServerConnection, client: ClientTool, config: MysqlConfig): Promise<ServerInfo> {
  const [row] = await runSql(
    server,
    client,
    config,
    config.database,
    `SELECT VERSION(), @@version_comment, @@character_set_database, @@collation_database,
       (SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE())`,
  );
  const [raw = "", comment = "", charset = "utf8mb4", collation = "", size = "0"] = row ?? [];
  const flavour = /mariadb/i.test(`${raw} ${comment}`) ? "MariaDB" : "MySQL";
  const info: ServerInfo = { version: /^\d+\.\d+\.\d+/.exec(raw)?.[0] ?? raw, flavour, sizeBytes: Number(size) || 0, charset, collation };
  checkServerVersion(info, raw);
  return info;
}

/** Throws one line when the server is older than what this source can dump faithfully. */
export function checkServerVersion(info: Pick<ServerInfo, "flavour">, reported: string): void {
  const [major = 0, minor = 0] = reported.split(/[.-]/).map(Number);
  const [minMajor, minMinor] = MINIMUM[info.flavour];
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new Error(`MariaDB ${MINIMUM.MariaDB.join(".")} or MySQL ${MINIMUM.MySQL.join(".")} or newer is required, the server reports ${info.flavour} ${reported || "an unknown version"}`);
  }
}
