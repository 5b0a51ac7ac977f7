import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { Principal } from "@/server/auth/principal";
import { createDb, type Db } from "@/server/db";
import { startEmbeddedDatabase } from "@/server/db/embedded";
import { resetEnvCache } from "@/server/env";
import { PluginHost } from "@/server/plugins/host";
import { migrateAll } from "@/server/runtime/database";
import { createBackup } from "@/server/services/backup-lifecycle";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { getBackup } from "@/server/services/backups";
import { createRestore, getRestore } from "@/server/services/restores";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createFirstOwner } from "@/server/services/users";
import { fillBenchDatabase } from "./generate-database";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const DATA = path.join(ROOT, "test/bench/.data");
function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** `--trace`: each Safehold run's log is printed with times from its start. */
const TRACE = process.argv.includes("--trace");

/** With `--trace`: a run's log lines, each with its time from the run's start. */
export function trace(what: string, run: { startedAt: string | null; log: Array<{ at: string; message: string }> }) {
  if (!TRACE) return;
  const start = Date.parse(run.startedAt!);
  console.log(`${what}:\n${run.log.map((line) => `  +${((Date.parse(line.at) - start) / 1000).toFixed(2)} s ${line.message}`).join("\n")}`);
}

/** `--runs N` (default 3). */
export const RUNS = Number(option("--runs") ?? 3);
/** `--encrypt`: the organization's backups are encrypted to its key (the `encrypt` policy field); without it, plain gzip. */
export const ENCRYPT = process.argv.includes("--encrypt");
/** The results file of a benchmark: `<name>.md`, or `<name>-encrypted.md` with `--encrypt`. */
export const resultsFile = (name: string) => path.join(ROOT, `test/bench/results/${name}${ENCRYPT ? "-encrypted" : ""}.md`);
/** `--only NAME[,NAME]`: only these generated databases (e.g. `--only bench_10mb` while developing). */
const ONLY = option("--only")?.split(",");
/** The generated databases; the smallest shows the fixed cost of a backup, which the big ones hide. */
export const SIZES = [
  { name: "bench_10mb", targetMb: 10 },
  { name: "bench_250mb", targetMb: 250 },
  { name: "bench_1gb", targetMb: 1024 },
].filter((size) => !ONLY || ONLY.includes(size.name));

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** A `safehold worker` process, and its peak resident set (VmHWM) in bytes. */
export function startWorker(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/safehold.mjs"), "worker"], { cwd: ROOT, env });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes("Worker running")) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(output));
      }
    }, 50);
  });
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) * 1024;
  const stop = () => new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM")));
  return { ready, peakRss, stop };
}

type Run = { status: string; error: string | null; startedAt: string | null; finishedAt: string | null; log: Array<{ at: string; message: string }> };

/** Reads a run (a backup or a restore) every 100 ms until it has ended; it must have completed. It and its seconds from start to completion. */
export async function completedRun<T extends Run>(what: string, read: () => Promise<T>): Promise<{ run: T; seconds: number }> {
  let run = await read();
  while (!["completed", "failed"].includes(run.status)) {
    await new Promise((r) => setTimeout(r, 100));
    run = await read();
  }
  if (run.status !== "completed") throw new Error(`${what} failed: ${run.error}`);
  trace(what, run);
  return { run, seconds: (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000 };
}

/** A restore of a backup into a new environment, run by a fresh `safehold worker`: its seconds and the worker's peak RSS. */
export async function timedRestore(
  db: Db,
  plugins: PluginHost,
  owner: Principal,
  input: { backupId: string; projectId: string; serverId: string; name: string; sourceConfig: Record<string, unknown>; includeFilestore: boolean },
  workerEnv: NodeJS.ProcessEnv,
): Promise<{ seconds: number; rss: number }> {
  const worker = startWorker(workerEnv);
  await worker.ready;
  try {
    const restore = await createRestore(db, plugins, owner, {
      backupId: input.backupId,
      target: "new_environment",
      newEnvironment: { projectId: input.projectId, name: input.name, stage: "test", serverId: input.serverId, sourceConfig: input.sourceConfig },
      safetyBackup: false,
      includeFilestore: input.includeFilestore,
      neutralize: false,
      confirm: "RESTORE",
    });
    const { seconds } = await completedRun("restore", () => getRestore(db, owner, restore.id));
    return { seconds, rss: worker.peakRss() };
  } finally {
    await worker.stop();
  }
}

/**
 * Safehold's own database at `safeholdUrl`, migrated and seeded as a benchmark needs it: an owner, local-disk
 * storage in `storageDir` (the default location), a project and this host as a server.
 */
export async function seedSafehold(safeholdUrl: string, storageDir: string) {
  process.env.DATABASE_URL = safeholdUrl;
  process.env.SAFEHOLD_SECRET_KEY ??= "bench-secret-key-0123456789abcdefghijklmnop";
  resetEnvCache();
  await migrateAll(safeholdUrl);
  const { db, close } = createDb(safeholdUrl);
  const plugins = new PluginHost(path.join(ROOT, "plugins"));
  const { user, org } = await createFirstOwner(db, { email: "bench@safehold.test", password: "bench-password", name: "", organizationName: "Bench" });
  const owner: Principal = { userId: user.id, orgId: org.id, role: "owner", label: user.email, via: "cli" };
  await createStorageLocation(db, plugins, owner, { name: "Bench disk", provider: "local", config: { path: storageDir }, isDefault: true });
  await putOrgPolicy(db, owner, { ...(await orgDefaultPolicy(db, org.id)), encrypt: ENCRYPT });
  const project = await createProject(db, owner, { name: "Bench", description: "" });
  const server = await createServer(db, plugins, owner, { name: "This host", kind: "local", config: {} });
  return { db, close, plugins, owner, project, server, storageDir };
}

/**
 * `runs` manual backups of one environment, each run by a fresh `safehold worker` (concurrency 1), timed from the
 * backup's start to its completion; with each worker's peak RSS and the stored database file's size.
 */
export async function timeBackups(db: Db, owner: Principal, environmentId: string, options: { runs: number; workerEnv: NodeJS.ProcessEnv; includeFilestore: boolean }) {
  const seconds: number[] = [];
  const rss: number[] = [];
  let storedSize = 0;
  for (let i = 0; i < options.runs; i++) {
    const worker = startWorker(options.workerEnv);
    await worker.ready;
    const backup = await createBackup(db, owner, { environmentId, name: `bench ${i + 1}`, notes: "", includeFilestore: options.includeFilestore, retention: "daily" });
    const { run: done, seconds: took } = await completedRun("backup", () => getBackup(db, owner, backup.id));
    seconds.push(took);
    rss.push(worker.peakRss());
    storedSize = done.artifacts.find((a) => a.kind === "database")!.size;
    await worker.stop();
  }
  return { seconds, rss, storedSize };
}

/**
 * The embedded cluster kept in test/bench/.data with the generated databases (`sizes`; made once, reused by later
 * runs), and a fresh Safehold database with an owner, local-disk storage, a project and this host as a server.
 */
export async function openBench(sizes: Array<{ name: string; targetMb: number }> = SIZES) {
  fs.mkdirSync(DATA, { recursive: true });
  const cluster = await startEmbeddedDatabase(DATA, (line) => console.log(line));
  const adminUrl = cluster.url;
  const urlFor = (db: string) => Object.assign(new URL(adminUrl), { pathname: `/${db}` }).toString();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  for (const size of sizes) {
    const [exists] = await admin`select 1 from pg_database where datname = ${size.name}`;
    if (!exists) {
      console.log(`Generating ${size.name} (~${size.targetMb} MB)...`);
      await admin.unsafe(`create database ${size.name}`);
      await fillBenchDatabase(urlFor(size.name), size.targetMb);
    }
  }
  await admin.unsafe("drop database if exists bench_safehold with (force)");
  await admin.unsafe("create database bench_safehold");
  const safeholdUrl = urlFor("bench_safehold");
  const { db, close, plugins, owner, project, server, storageDir } = await seedSafehold(safeholdUrl, fs.mkdtempSync(path.join(DATA, "storage-")));
  const port = Number(new URL(adminUrl).port);
  const password = decodeURIComponent(new URL(adminUrl).password);
  /** A `postgres` environment for one of the generated databases. */
  const environmentFor = (database: string) =>
    createEnvironment(db, plugins, owner, {
      projectId: project.id,
      serverId: server.id,
      name: database,
      stage: "production",
      source: "postgres",
      sourceConfig: { host: "127.0.0.1", port, user: "safehold", password, database },
    });
  return {
    admin,
    environmentFor,
    db,
    plugins,
    owner,
    project,
    server,
    storageDir,
    port,
    password,
    workerEnv: { ...process.env, DATABASE_URL: safeholdUrl, SAFEHOLD_WORKER_CONCURRENCY: "1" },
    close: async () => {
      fs.rmSync(storageDir, { recursive: true, force: true });
      await close();
      await admin.end();
      await cluster.stop();
    },
  };
}

export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
