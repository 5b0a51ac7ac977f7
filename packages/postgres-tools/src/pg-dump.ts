import type { ServerConnection } from "@safehold/plugin-api";
import { readText } from "@safehold/plugin-helpers";

export type PgDumpCheck = { ok: true; version: string } | { ok: false; message: string };

/** pg_dump must exist on the server and be at least the database server's major version (it refuses newer servers). */
export async function checkPgDump(server: ServerConnection, serverVersion: string): Promise<PgDumpCheck> {
  const serverMajor = Number.parseInt(serverVersion, 10);
  const install = `install the PostgreSQL ${serverMajor} client tools on the server (Debian/Ubuntu: apt install postgresql-client-${serverMajor})`;
  const run = server.exec("pg_dump", ["--version"]);
  let output: string;
  try {
    [output] = await Promise.all([readText(run.stdout), readText(run.stderr), run.exit]);
  } catch (err) {
    return { ok: false, message: `${(err as Error).message}: ${install}, or set the path of pg_dump in the server's settings` };
  }
  const match = /(\d+)(?:\.\d+)*/.exec(output.replace(/^pg_dump \(PostgreSQL\)\s*/, ""));
  if (!match) return { ok: false, message: `Cannot read the pg_dump version from "${output.trim()}"` };
  const version = match[0];
  if (Number(match[1]) < serverMajor) {
    return { ok: false, message: `pg_dump ${version} on the server is older than PostgreSQL ${serverVersion} and cannot dump it: ${install}` };
  }
  return { ok: true, version };
}
