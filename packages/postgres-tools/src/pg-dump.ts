import type { ServerConnection } from "@safehold/plugin-api";
import { readText } from "@safehold/plugin-helpers";

export type PgDumpCheck = { ok: true; version: string } | { ok: false; message: string };

/** pg_dump must exist on the server and be at least the database server's major version (it refuses newer servers). */
export async function checkPgDump(server: ServerConnection, serverVersion: string): Promise<PgDumpCheck> {
  return (await readPgDump(server))(serverVersion);
}

/**
 * Runs `pg_dump --version` on the server, and returns the judgement of that pg_dump against a database server's
 * version: it can run before the version is known (at the same time as the query that reads it). Never rejects.
 */
export async function readPgDump(server: ServerConnection): Promise<(serverVersion: string) => PgDumpCheck> {
  const run = server.exec("pg_dump", ["--version"]);
  let output: string;
  try {
    [output] = await Promise.all([readText(run.stdout), readText(run.stderr), run.exit]);
  } catch (err) {
    return (serverVersion) => ({ ok: false, message: `${(err as Error).message}: ${install(serverVersion)}, or set the path of pg_dump in the server's settings` });
  }
  return (serverVersion) => {
    const match = /(\d+)(?:\.\d+)*/.exec(output.replace(/^pg_dump \(PostgreSQL\)\s*/, ""));
    if (!match) return { ok: false, message: `Cannot read the pg_dump version from "${output.trim()}"` };
    const version = match[0];
    if (Number(match[1]) < Number.parseInt(serverVersion, 10)) {
      return { ok: false, message: `pg_dump ${version} on the server is older than PostgreSQL ${serverVersion} and cannot dump it: ${install(serverVersion)}` };
    }
    return { ok: true, version };
  };
}

function install(serverVersion: string): string {
  const major = Number.parseInt(serverVersion, 10);
  return `install the PostgreSQL ${major} client tools on the server (Debian/Ubuntu: apt install postgresql-client-${major})`;
}
