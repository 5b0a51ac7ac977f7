import postgres from "postgres";
import type { ServerConnection } from "@safehold/plugin-api";
import type { PostgresConfig } from "./config";

/** A postgres.js client whose connections go through the server (a local socket, or a tunnel over SSH). */
export function connectThroughServer(server: ServerConnection, config: PostgresConfig): postgres.Sql {
  return postgres({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    // postgres.js accepts a socket factory; its typings do not list it.
    ...({ socket: () => server.openTcp(config.host, config.port) } as object),
  });
}

/** One sentence for an operator, from what PostgreSQL or the network said. */
export function describePostgresError(err: unknown, config: PostgresConfig): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case "28P01":
      return `Authentication failed for user "${config.user}": wrong password`;
    case "28000":
      return `PostgreSQL refused user "${config.user}": ${e.message}`;
    case "3D000":
      return `Database "${config.database}" does not exist on ${config.host}:${config.port}`;
    case "CONNECT_TIMEOUT":
      return `No answer from PostgreSQL at ${config.host}:${config.port} within 10 s`;
    default:
      return e.message ?? String(err);
  }
}
