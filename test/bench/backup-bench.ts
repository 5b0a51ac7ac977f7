/**
 * `npm run bench:backup`: a Safehold backup of a ~1 GB PostgreSQL database against `pg_dump --no-owner | gzip`,
 * 3 runs each, plus the worker's peak RSS for a ~250 MB and the ~1 GB database. Writes test/bench/results/backup.md.
 * The generated databases are kept in test/bench/.data so later runs skip the generation.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { Principal } from "@/server/auth/principal";
import { createDb } from "@/server/db";
import { startEmbeddedDatabase } from "@/server/db/embedded";
import { migrateAll } from "@/server/runtime/database";
import { resetEnvCache } from "@/server/env";
import { PluginHost } from "@/server/plugins/host";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createFirstOwner } from "@/server/services/users";
import { fillBenchDatabase } from "./generate-database";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DATA = path.join(ROOT, "test/bench/.data");
const RESULTS = path.join(ROOT, "test/bench/results/backup.md");
const RUNS = 3;
const SIZES = [
  { name: "bench_250mb", targetMb: 250 },
  { name: "bench_1gb", targetMb: 1024 },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function startWorker(env: NodeJS.ProcessEnv) {
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
  /** The process's peak resident set (VmHWM), in bytes. */
  const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) * 1024;
  const stop = () => new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM")));
  return { ready, peakRss, stop };
}

async function main() {
  fs.mkdirSync(DATA, { recursive: true });
  const cluster = await startEmbeddedDatabase(DATA, (line) => console.log(line));
  const adminUrl = cluster.url;
  const urlFor = (db: string) => Object.assign(new URL(adminUrl), { pathname: `/${db}` }).toString();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const password = decodeURIComponent(new URL(adminUrl).password);
  const port = Number(new URL(adminUrl).port);

  for (const size of SIZES) {
    const [exists] = await admin`select 1 from pg_database where datname = ${size.name}`;
    if (!exists) {
      console.log(`Generating ${size.name} (~${size.targetMb} MB)...`);
      await admin.unsafe(`create database ${size.name}`);
      await fillBenchDatabase(urlFor(size.name), size.targetMb);
    }
  }

  // A fresh Safehold database for the console's own rows each run of the bench.
  await admin.unsafe("drop database if exists bench_safehold with (force)");
  await admin.unsafe("create database bench_safehold");
  const safeholdUrl = urlFor("bench_safehold");
  process.env.DATABASE_URL = safeholdUrl;
  process.env.SAFEHOLD_SECRET_KEY ??= "bench-secret-key-0123456789abcdefghijklmnop";
  resetEnvCache();
  await migrateAll(safeholdUrl);
  const { db, close } = createDb(safeholdUrl);
  const plugins = new PluginHost(path.join(ROOT, "plugins"));
  const { user, org } = await createFirstOwner(db, { email: "bench@safehold.test", password: "bench-password", name: "", organizationName: "Bench" });
  const owner: Principal = { userId: user.id, orgId: org.id, role: "owner", label: user.email, via: "cli" };
  const storageDir = fs.mkdtempSync(path.join(DATA, "storage-"));
  await createStorageLocation(db, plugins, owner, { name: "Bench disk", provider: "local", config: { path: storageDir }, isDefault: true });
  const project = await createProject(db, owner, { name: "Bench", description: "" });
  const server = await createServer(db, plugins, owner, { name: "This host", kind: "local", config: {} });
  const workerEnv = { ...process.env, DATABASE_URL: safeholdUrl, SAFEHOLD_WORKER_CONCURRENCY: "1" };

  const rows: string[] = [];
  for (const size of SIZES) {
    const [{ bytes }] = (await admin`select pg_database_size(${size.name})::bigint as bytes`) as unknown as [{ bytes: string }];
    const environment = await createEnvironment(db, plugins, owner, {
      projectId: project.id,
      serverId: server.id,
      name: size.name,
      stage: "production",
      source: "postgres",
      sourceConfig: { host: "127.0.0.1", port, user: "safehold", password, database: size.name },
    });

    const baseline: number[] = [];
    const baselineFile = path.join(storageDir, `${size.name}-baseline.sql.gz`);
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      execFileSync("bash", ["-c", `pg_dump --no-owner -h 127.0.0.1 -p ${port} -U safehold ${size.name} | gzip > "${baselineFile}"`], { env: { ...process.env, PGPASSWORD: password } });
      baseline.push((performance.now() - started) / 1000);
    }
    const baselineSize = fs.statSync(baselineFile).size;
    fs.rmSync(baselineFile);

    const safehold: number[] = [];
    const rss: number[] = [];
    let storedSize = 0;
    for (let i = 0; i < RUNS; i++) {
      const worker = startWorker(workerEnv);
      await worker.ready;
      const backup = await createBackup(db, owner, { environmentId: environment.id, name: `bench ${i + 1}`, notes: "", includeFilestore: true, retention: "daily" });
      let done = await getBackup(db, owner, backup.id);
      while (!["completed", "failed"].includes(done.status)) {
        await new Promise((r) => setTimeout(r, 100));
        done = await getBackup(db, owner, backup.id);
      }
      if (done.status !== "completed") throw new Error(`backup failed: ${done.error}`);
      safehold.push((Date.parse(done.finishedAt!) - Date.parse(done.startedAt!)) / 1000);
      rss.push(worker.peakRss());
      storedSize = done.artifacts.find((a) => a.kind === "database")!.size;
      await worker.stop();
    }
    const ratio = median(safehold) / median(baseline);
    console.log(`${size.name}: baseline ${median(baseline).toFixed(1)} s, Safehold ${median(safehold).toFixed(1)} s (${ratio.toFixed(2)}×), peak RSS ${mb(median(rss))}`);
    rows.push(
      `| ${size.name} | ${mb(Number(bytes))} | ${baseline.map((s) => s.toFixed(1)).join(" / ")} | **${median(baseline).toFixed(1)} s** | ${safehold.map((s) => s.toFixed(1)).join(" / ")} | **${median(safehold).toFixed(1)} s** | **${ratio.toFixed(2)}×** | ${rss.map(mb).join(" / ")} (median **${mb(median(rss))}**) | ${mb(baselineSize)} / ${mb(storedSize)} |`,
    );
  }

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const pgDump = execFileSync("pg_dump", ["--version"], { encoding: "utf8" }).trim();
  const report = `# Backup benchmark

Command: \`npm run bench:backup\` (test/bench/backup-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${pgDump},
embedded PostgreSQL ${(await admin`show server_version`)[0]!.server_version}; source database and storage on the same local disk.

Baseline: \`pg_dump --no-owner | gzip > file\` (gzip level 6). Safehold: a manual backup run by a \`safehold worker\` process
(concurrency 1) to local-disk storage, timed from the backup's start to its completion, which includes streaming
pg_dump through gzip + sha256 to storage, writing the manifest and reading every file back to verify its checksum.
Peak RSS is the worker process's VmHWM (a fresh worker for each run). ${RUNS} runs each; medians in bold.

| database | size on disk | baseline runs | baseline median | Safehold runs | Safehold median | ratio | worker peak RSS | gzip file: baseline / Safehold |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets: Safehold within 1.15× of the baseline's wall time; worker peak RSS under 250 MB and not growing with the database size.
`;
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, report);
  console.log(`\nWrote ${path.relative(ROOT, RESULTS)}`);
  fs.rmSync(storageDir, { recursive: true, force: true });
  await close();
  await admin.end();
  await cluster.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
