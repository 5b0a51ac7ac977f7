import { PluginError } from "@safehold/plugin-api";

/** The most telling line of a PostgreSQL tool's error output, without its program prefix. */
export function lastErrorLine(stderr: string, program: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => l.startsWith(`${program}: error:`) || /\b(ERROR|FATAL):/.test(l));
  const line = errors[errors.length - 1] ?? lines[lines.length - 1] ?? "";
  return line.replace(new RegExp(`^${program}: (error: )?`), "").replace(/\s+/g, " ");
}

/**
 * What libpq and the server print when trying again later may help: the connection was refused, lost or timed out,
 * or the server is restarting, recovering or out of connections. pg_dump prints no SQLSTATE, so its words decide
 * (in English: the tools run with LC_MESSAGES=C).
 */
const TRY_LATER = [
  /server closed the connection unexpectedly/,
  /could not (receive|send) data (from|to) server/,
  /terminating connection due to administrator command/,
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/,
  /sorry, too many clients already|remaining connection slots are reserved/,
  /Connection (refused|reset by peer|timed out)|No route to host|Network is unreachable|timeout expired/,
];

/** A PostgreSQL tool's failure as the error to throw: retryable when its error output says the server was not there for it. */
export function toolFailure(message: string, stderr: string): Error {
  return TRY_LATER.some((words) => words.test(stderr)) ? PluginError.unavailable(message) : new Error(message);
}
