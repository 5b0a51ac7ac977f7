import type { ServerConnection } from "@safehold/plugin-api";
import type { PostgresConfig } from "./config";
import { connectThroughServer, postgresFailure } from "./connect";

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
