import type { ServerConnection } from "@safehold/plugin-api";
import type { PostgresConfig } from "./config";
import { connectThroughServer, postgresFailure } from "./connect";
import { readPgDump, type PgDumpCheck } from "./pg-dump";

export type ServerInfo = { version: string; sizeBytes: number };

/** Connects as the environment would and reads the server version and database size; throws a one-line message. */
export async function readServerInfo(server: ServerConnection, config: PostgresConfig): Promise<ServerInfo> {
  const sql = connectThroughServer(server, config);
  try {
    const [row] = await sql<{ version: string; size: string }[]>`
      select current_setting('server_version') as version, pg_database_size(current_database())::text as size`;
    return { version: row!.version.split(" ")[0]!, sizeBytes: Number(row!.size) };
  } catch (err) {
    throw postgresFailure(err, config);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * What a backup checks before it starts: the server's version and size, and whether the server's pg_dump can dump
 * it. Both are asked at once, so the checks cost one wait for the server instead of two.
 */
export async function checkDumpable(server: ServerConnection, config: PostgresConfig): Promise<{ info: ServerInfo; dump: PgDumpCheck }> {
  const [info, judge] = await Promise.all([readServerInfo(server, config), readPgDump(server)]);
  return { info, dump: judge(info.version) };
}
