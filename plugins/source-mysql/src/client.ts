import { Readable } from "node:stream";
import { PluginError, type ServerConnection } from "@safehold/plugin-api";
import { readText } from "@safehold/plugin-helpers";
import type { MysqlConfig } from "./config";

/**
 * The MariaDB/MySQL command-line tools run on the environment's server (through `server.exec`, so locally or
 * over SSH alike). The password travels in MYSQL_PWD, which both the MariaDB and the MySQL clients read, never on
 * a command line (`ps` would show it); exec has no shell, and the SSH server kind sends the environment through
 * the command's input, so it never shows anywhere. `--no-defaults` (always the first argument) keeps option
 * files on the server (a root ~/.my.cnf, say) from changing who connects where or what gets dumped.
 */
export type ClientTool = "mariadb" | "mysql";
export type DumpTool = "mariadb-dump" | "mysqldump";

const CLIENTS: ClientTool[] = ["mariadb", "mysql"];
const DUMPS: DumpTool[] = ["mariadb-dump", "mysqldump"];
const INSTALL = "install the MariaDB client tools on the server (Debian/Ubuntu: apt install mariadb-client)";

/** The first line a program's `--version` printed, or null when the program cannot be run at all. */
async function versionOf(server: ServerConnection, program: string): Promise<string | null> {
  const run = server.exec(program, ["--version"]);
  try {
    const [out, , exit] = await Promise.all([readText(run.stdout), readText(run.stderr), run.exit]);
    return exit.code === 0 ? out.trim().split("\n")[0] ?? "" : null;
  } catch {
    return null;
  }
}

/** `mariadb`, or `mysql` where only that exists; throws one line saying what to install. */
export async function findClient(server: ServerConnection): Promise<ClientTool> {
  for (const program of CLIENTS) if ((await versionOf(server, program)) !== null) return program;
  throw new Error(`Neither mariadb nor mysql can be run on the server: ${INSTALL}, or set the path of mariadb in the server's settings`);
}

export type DumpCheck = { ok: true; program: DumpTool; version: string; mysqlFlavour: boolean } | { ok: false; message: string };

/** `mariadb-dump`, or `mysqldump` where only that exists, with its version. */
export async function findDump(server: ServerConnection): Promise<DumpCheck> {
  for (const program of DUMPS) {
    const line = await versionOf(server, program);
    if (line === null) continue;
    const version = /Distrib (\d+\.\d+\.\d+)/.exec(line)?.[1] ?? /Ver (\d+\.\d+(?:\.\d+)?)/.exec(line)?.[1] ?? line;
    return { ok: true, program, version, mysqlFlavour: !/MariaDB/i.test(line) };
  }
  return { ok: false, message: `neither mariadb-dump nor mysqldump can be run on the server: ${INSTALL}, or set the path of mariadb-dump in the server's settings` };
}

/** The server's own databases: never an environment's to back up or replace (the console only knows PostgreSQL's). */
export const SYSTEM_DATABASES = ["information_schema", "mysql", "performance_schema", "sys"];

/** Refuses names a tool would read as an option, and the server's own databases; the console's own checks (`checkDatabase`) come on top. */
export function checkedName(database: string): string {
  if (!database || database.startsWith("-") || database.includes("\0") || database.length > 64) throw new Error(`"${database}" cannot name a MySQL/MariaDB database`);
  if (SYSTEM_DATABASES.includes(database.toLowerCase())) throw new Error(`"${database}" is one of MySQL/MariaDB's own databases: choose the client's database`);
  return database;
}

/** Where and as whom to connect; `--no-defaults` must come first. The dump tools have no connect timeout option. */
export function connectionArgs(config: MysqlConfig, tool: "client" | "dump" = "client"): string[] {
  return [
    "--no-defaults",
    `--host=${config.host}`,
    `--port=${config.port}`,
    `--user=${config.user}`,
    ...(tool === "client" ? ["--connect-timeout=10"] : []),
    "--default-character-set=utf8mb4",
    "--max-allowed-packet=1G",
  ];
}

/** The password, for the command's environment (never its arguments). */
export function passwordEnv(config: MysqlConfig): Record<string, string> {
  return config.password ? { MYSQL_PWD: config.password } : {};
}

/** Backquotes an identifier for SQL. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** A string literal for SQL (the session keeps the default sql_mode's backslash escapes). */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\0/g, "\\0")}'`;
}

/** The telling line of the client's error output, e.g. "ERROR 1045 (28000): Access denied for user …". */
function errorLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.filter((l) => /^ERROR \d+|Got error: \d+/.test(l)).pop() ?? lines.pop() ?? "no error message";
}

/**
 * The client's codes for "not now": the server is down, unreachable, shutting down or out of connections, or the
 * connection was lost on the way. An unknown host (2005) is a setting to fix, as for PostgreSQL.
 */
const TRY_LATER = new Set([1040, 1053, 2002, 2003, 2006, 2013]);
const REFUSED = new Set([1044, 1045, 1698]);

/** The error code the client or a dump tool printed, null when it printed none. */
function errorCode(line: string): number | null {
  const match = /^ERROR (\d+)/.exec(line) ?? /Got error: (\d+)/.exec(line);
  return match ? Number(match[1]) : null;
}

/**
 * The error to throw when the client or a dump tool failed: {@link describeClientError}'s sentence after `what`,
 * as a PluginError that says whether trying again later may help (a refused login or a missing database will not;
 * a server that is down, busy or dropped the connection may).
 */
export function clientFailure(stderr: string, config: MysqlConfig, database: string | null, what?: string): Error {
  const message = `${what ? `${what}: ` : ""}${describeClientError(stderr, config, database)}`;
  const code = errorCode(errorLine(stderr));
  if (code !== null && TRY_LATER.has(code)) return PluginError.unavailable(message);
  if (code !== null && REFUSED.has(code)) return PluginError.unauthorized(message);
  if (code === 1049) return PluginError.notFound(message);
  return new Error(message);
}

/** One sentence for an operator from what the MariaDB/MySQL client said on its error output. */
function describeClientError(stderr: string, config: MysqlConfig, database: string | null): string {
  const line = errorLine(stderr);
  // The client says `ERROR 1045 (28000) at line 3: …`; the dump tools `mariadb-dump: Got error: 1045: "…" when …`.
  const match = /^ERROR (\d+)(?: \(\w+\))?(?: at line (\d+))?: (.*)$/.exec(line) ?? /Got error: (\d+)(): "?(.*?)"?(?: when [a-z ]+)?$/.exec(line);
  if (!match) {
    // In --binary-mode the client refuses its own commands (`\!`, `\.`, …) instead of running them.
    const refused = /^ERROR at line (\d+): (Unknown command .*?)\.?$/.exec(line);
    if (refused) return `the input holds a client command (${refused[2]}, line ${refused[1]}), which is never run from a dump: nothing more was loaded`;
    return `The MariaDB/MySQL client failed: ${line.replace(/^[\w-]+: /, "")}`;
  }
  const [, code, at, message] = match;
  const where = `${config.host}:${config.port}`;
  switch (Number(code)) {
    case 1045:
      return `Authentication failed for user "${config.user}": wrong password (or the user may not connect from the server)`;
    case 1049:
      return `Database "${database ?? config.database}" does not exist on ${where}`;
    case 1044:
      return `User "${config.user}" may not use database "${database ?? config.database}" on ${where} (access denied; it may also not exist)`;
    case 2002:
    case 2003:
      return `Cannot connect to MySQL/MariaDB at ${where} from the server: nothing is listening there, or the host cannot be reached`;
    case 2005:
      return `Host "${config.host}" cannot be resolved from the server`;
    case 2013:
      return `MySQL/MariaDB at ${where} closed the connection: ${message}`;
    default:
      return `MySQL/MariaDB said: ${message}${at ? ` (line ${at})` : ""}`;
  }
}

/** Undoes the client's batch-mode escaping of one field. */
function unescapeField(field: string): string {
  return field.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c === "0" ? "\0" : c));
}

/**
 * Runs SQL through the client on the server (statements on its input, never on its command line) and returns the
 * rows of what it printed, each a list of fields (NULL reads "NULL"). For short answers only: lists, versions.
 */
export async function runSql(server: ServerConnection, client: ClientTool, config: MysqlConfig, database: string | null, sql: string, signal?: AbortSignal): Promise<string[][]> {
  const args = [...connectionArgs(config), "--batch", "--skip-column-names", ...(database ? [`--database=${checkedName(database)}`] : [])];
  const run = server.exec(client, args, { stdin: Readable.from([Buffer.from(sql)]), env: passwordEnv(config), signal });
  const [out, err, exit] = await Promise.all([readText(run.stdout), readText(run.stderr), run.exit]);
  if (exit.signal) throw new Error(`${client} was stopped by signal ${exit.signal}`);
  if (exit.code !== 0) throw clientFailure(err, config, database);
  return out
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\t").map(unescapeField));
}
