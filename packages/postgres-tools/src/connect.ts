import postgres from "postgres";
import { PluginError, type ServerConnection } from "@safehold/plugin-api";
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

/** PostgreSQL's codes for "not now": the server is starting or shutting down, or has no connection to spare. */
const TRY_LATER = new Set(["57P03", "53300", "08006", "08001", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"]);

/**
 * The error to throw for a failed connection or query: {@link describePostgresError}'s sentence, as a PluginError
 * that says whether trying again later may help (refused credentials or a missing database will not; a server
 * that is down or busy, or a connection the server plugin could not open for a retryable reason, may).
 */
export function postgresFailure(err: unknown, config: PostgresConfig): Error {
  const e = err as { code?: string; retryable?: unknown };
  const message = describePostgresError(err, config);
  if (e.code === "28P01" || e.code === "28000") return PluginError.unauthorized(message, { cause: err });
  if (e.code === "3D000") return PluginError.notFound(message, { cause: err });
  if ((e.code && TRY_LATER.has(e.code)) || e.retryable === true) return PluginError.unavailable(message, { cause: err });
  return new Error(message, { cause: err });
}
