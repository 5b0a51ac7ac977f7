import type { ServerConnection } from "@safehold/plugin-api";
import { readText } from "@safehold/plugin-helpers";

/** Per major version, the first minor release whose psql has restricted mode (`\restrict`); every 18 has it. */
const RESTRICT_SINCE: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };
const FIRST_MAJOR = 13;
const ALWAYS_FROM = 18;

/** The release to install for a psql of this major version that cannot lock out meta-commands. */
function upgradeFor(major: number): string {
  return major in RESTRICT_SINCE ? `${major}.${RESTRICT_SINCE[major]}` : `${FIRST_MAJOR}.${RESTRICT_SINCE[FIRST_MAJOR]}`;
}

/** Why this `psql --version` output cannot load a dump with meta-commands locked; null when it can. */
export function psqlRestrictProblem(versionOutput: string): string | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return `Cannot read the psql version from "${versionOutput.trim()}": a restore needs psql 13.22, 14.19, 15.14, 16.10, 17.6 or newer on the server`;
  const major = Number(match[1]);
  const minor = Number(match[2] ?? 0);
  if (major >= ALWAYS_FROM || (RESTRICT_SINCE[major] !== undefined && minor >= RESTRICT_SINCE[major])) return null;
  const version = match[2] === undefined ? match[1] : `${match[1]}.${match[2]}`;
  return `psql ${version} on the server cannot lock out meta-commands (\\restrict): install psql ${upgradeFor(major)} or newer`;
}

/**
 * A restore runs psql with meta-commands locked (`\restrict`), so a dump can never make psql run a shell command
 * or write a file: psql on the server must be recent enough to have that mode (PostgreSQL's fix of CVE-2025-8714).
 */
export async function checkPsqlCanRestrict(server: ServerConnection): Promise<void> {
  const run = server.exec("psql", ["--version"]);
  let output: string;
  let exit;
  try {
    [output, , exit] = await Promise.all([readText(run.stdout), readText(run.stderr), run.exit]);
  } catch (err) {
    throw new Error(`psql cannot be run on the server (${(err as Error).message}): a restore needs psql 13.22, 14.19, 15.14, 16.10, 17.6 or newer`);
  }
  const problem = exit.code === 0 ? psqlRestrictProblem(output) : `psql --version failed on the server (exit code ${exit.code})`;
  if (problem) throw new Error(problem);
}
