/**
 * `npm run bench:filestore`: incremental filestore backups of an Odoo environment whose filestore holds 20,000 files
 * (2 GB of incompressible content, named by their sha1 as Odoo names them), on this host and over SSH through a
 * link throttled to 100 Mbit/s each way. It measures the first backup (every file stored), a second one after 20 new
 * attachments (only those 20 stored: the objects written are counted in storage and the run fails otherwise), a
 * restore of the second into a new environment (its filestore compared file by file with the source's), and the
 * storage used by 30 backups of the unchanged filestore against one full-archive backup. `--runs N` (default 3):
 * the first backup, the second and the restore are run N times, each into a storage location of its own, and the
 * SSH second backup N times, with medians reported. `--files N --mb M`: a smaller filestore (a quick run);
 * `--local-only`: without the SSH part. Writes test/bench/results/filestore.md
 * (filestore-<M>mb.md with --mb). The SSH part needs root (it creates the SSH user) and openssh-server.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { createBackup } from "@/server/services/backup-lifecycle";
import { putOverride } from "@/server/services/backup-policies";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createOdooFixture, filestoreChecksums } from "../helpers/odoo-fixture";
import { startSshd } from "../helpers/sshd";
import { ROOT, completedRun, mb, openBench, runBench, startWorker, timedRestore } from "./bench-setup";
import { startThrottleProxy, type ThrottleProxy } from "./throttle-proxy";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const FILES = Number(option("--files") ?? 20_000);
const TOTAL_MB = Number(option("--mb") ?? 2048);
if (!(FILES > 0) || !(TOTAL_MB > 0)) throw new Error("--files and --mb take positive numbers, e.g. --files 2000 --mb 200");
const LOCAL_ONLY = process.argv.includes("--local-only");
const RUNS = Number(option("--runs") ?? 3);
if (!(Number.isInteger(RUNS) && RUNS > 0)) throw new Error("--runs takes a positive whole number");
const NEW_FILES = 20;
const NIGHTS = 30;
const MBIT = 100;
const DATABASE = `bench_odoo_${FILES}_${TOTAL_MB}mb`;
const DATA_DIR = path.join(ROOT, "test/bench/.data", DATABASE);
const FILESTORE = path.join(DATA_DIR, "filestore", DATABASE);
const RESULTS = path.join(ROOT, `test/bench/results/filestore${option("--mb") ? `-${TOTAL_MB}mb` : ""}.md`);

/** Writes `content` into the filestore as Odoo does: `<sha1[0..2]>/<sha1>`. */
function writeAttachment(content: Buffer): number {
  const sha1 = createHash("sha1").update(content).digest("hex");
  fs.mkdirSync(path.join(FILESTORE, sha1.slice(0, 2)), { recursive: true });
  fs.writeFileSync(path.join(FILESTORE, sha1.slice(0, 2), sha1), content);
  return content.length;
}

/** FILES files of random sizes around their mean (incompressible, as PDFs and photos are), made once and kept. */
function fillFilestore(): void {
  const mean = (TOTAL_MB * 1024 * 1024) / FILES;
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const left = TOTAL_MB * 1024 * 1024 - written;
    const size = i === FILES - 1 ? Math.max(left, 1) : Math.max(1, Math.round(mean * (0.25 + 1.5 * Math.random())));
    written += writeAttachment(randomBytes(size));
  }
}

/** Every file under `dir` and their total size. */
function du(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (at: string) => {
    if (!fs.existsSync(at)) return;
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const child = path.join(at, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        files += 1;
        bytes += fs.statSync(child).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

async function backUp(db: Db, owner: Principal, environmentId: string, workerEnv: NodeJS.ProcessEnv, name: string) {
  const worker = startWorker(workerEnv);
  await worker.ready;
  try {
    const created = await createBackup(db, owner, { environmentId, name, notes: "", includeFilestore: true, retention: "daily" });
    const { run, seconds } = await completedRun(`backup "${name}"`, () => getBackup(db, owner, created.id));
    return { seconds, backup: run, rss: worker.peakRss() };
  } finally {
    await worker.stop();
  }
}

async function counted<T>(proxy: ThrottleProxy, run: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  const before = proxy.bytes();
  const value = await run();
  const after = proxy.bytes();
  return { value, bytes: after.up - before.up + (after.down - before.down) };
}

function addAttachments(): number {
  let bytes = 0;
  for (let i = 0; i < NEW_FILES; i++) bytes += writeAttachment(randomBytes(20_000 + Math.round(Math.random() * 180_000)));
  return bytes;
}

function objectsIn(storageDir: string) {
  return du(path.join(storageDir, "objects"));
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Each run's value and the median in bold: "149.0 / 151.2 / 148.7 (**149.0 s**)". */
function runs(values: number[], format: (n: number) => string): string {
  return `${values.map(format).join(" / ")} (**${format(median(values))}**)`;
}

async function main() {
  const bench = await openBench([]);
  const { admin, db, plugins, owner, project, port, password, workerEnv, storageDir } = bench;
  const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
  if (!exists || !fs.existsSync(path.join(DATA_DIR, ".complete"))) {
    console.log(`Generating ${DATABASE}: the Odoo fixture and ${FILES} files (${TOTAL_MB} MB)...`);
    await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
    await admin.unsafe(`create database ${DATABASE}`);
    fs.rmSync(DATA_DIR, { recursive: true, force: true });
    await createOdooFixture(`postgres://safehold:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`, DATA_DIR, { partners: 300 });
    fillFilestore();
    fs.writeFileSync(path.join(DATA_DIR, ".complete"), "");
  }
  const sourceConfig = { host: "127.0.0.1", port, user: "safehold", password, database: DATABASE, dataDir: DATA_DIR };
  const localServer = await createServer(db, plugins, owner, { name: "This host, bench data", kind: "local", config: {}, allowedRoots: [path.dirname(DATA_DIR)] });
  const environment = await createEnvironment(db, plugins, owner, { projectId: project.id, serverId: localServer.id, name: "odoo", stage: "production", source: "odoo", sourceConfig });
  const before = du(FILESTORE);
  console.log(`Filestore: ${before.files} files, ${mb(before.bytes)}`);

  type LocalRun = { first: Awaited<ReturnType<typeof backUp>>; second: Awaited<ReturnType<typeof backUp>>; firstObjects: { files: number; bytes: number }; restoreSeconds: number };
  const localRuns: LocalRun[] = [];
  let runStorage = "";
  for (let run = 1; run <= RUNS; run++) {
    // Each run stores into a location of its own, so its first backup stores every file; the last one is kept for the nights.
    if (runStorage) fs.rmSync(runStorage, { recursive: true, force: true });
    runStorage = fs.mkdtempSync(path.join(path.dirname(storageDir), `run-${run}-`));
    const location = await createStorageLocation(db, plugins, owner, { name: `Run ${run}`, provider: "local", config: { path: runStorage }, isDefault: false });
    await putOverride(db, owner, environment.id, { storageLocationId: location.id });
    // 1. First backup: every file is stored.
    const first = await backUp(db, owner, environment.id, workerEnv, `run ${run}: first`);
    const afterFirst = objectsIn(runStorage);
    // 2. Twenty new attachments: only they are stored.
    addAttachments();
    const second = await backUp(db, owner, environment.id, workerEnv, `run ${run}: second`);
    const afterSecond = objectsIn(runStorage);
    const written = afterSecond.files - afterFirst.files;
    if (written !== NEW_FILES) throw new Error(`the second backup wrote ${written} objects, not the ${NEW_FILES} new files`);
    // 3. Restore of the second backup, compared file by file.
    const restoredDir = fs.mkdtempSync(path.join(path.dirname(DATA_DIR), "restored-"));
    const restoredDatabase = `${DATABASE}_restored_${run}`;
    await admin.unsafe(`drop database if exists ${restoredDatabase} with (force)`);
    const { seconds: restoreSeconds } = await timedRestore(
      db,
      plugins,
      owner,
      { backupId: second.backup.id, projectId: project.id, serverId: localServer.id, name: restoredDatabase, sourceConfig: { database: restoredDatabase, dataDir: restoredDir }, includeFilestore: true },
      workerEnv,
    );
    const expected = filestoreChecksums(FILESTORE);
    const restored = filestoreChecksums(path.join(restoredDir, "filestore", restoredDatabase));
    if (JSON.stringify(expected) !== JSON.stringify(restored)) throw new Error("the restored filestore differs from the source's");
    await admin.unsafe(`drop database if exists ${restoredDatabase} with (force)`);
    fs.rmSync(restoredDir, { recursive: true, force: true });
    localRuns.push({ first, second, firstObjects: afterFirst, restoreSeconds });
    console.log(`Run ${run}: first ${first.seconds.toFixed(1)} s, second ${second.seconds.toFixed(1)} s (${written} objects), restore ${restoreSeconds.toFixed(1)} s, byte-identical`);
  }
  // 4. Thirty nights of the unchanged filestore, against one full archive.
  const nightly: number[] = [];
  for (let night = 3; night <= NIGHTS; night++) nightly.push((await backUp(db, owner, environment.id, workerEnv, `night ${night}`)).seconds);
  const thirty = du(runStorage);
  const archiveStorage = fs.mkdtempSync(path.join(path.dirname(storageDir), "archive-"));
  const archiveLocation = await createStorageLocation(db, plugins, owner, { name: "Archive comparison", provider: "local", config: { path: archiveStorage }, isDefault: false });
  await putOverride(db, owner, environment.id, { filestoreLayout: "archive", storageLocationId: archiveLocation.id });
  const archive = await backUp(db, owner, environment.id, workerEnv, "full archive");
  const archiveBytes = du(archiveStorage).bytes;
  fs.rmSync(archiveStorage, { recursive: true, force: true });

  // 5. Over SSH through a 100 Mbit/s link, into a location of its own (so the first backup stores every file again).
  let sshRows = "Not run (`--local-only`).";
  if (!LOCAL_ONLY) {
    const sshd = await startSshd({ user: "safehold-bench" });
    const proxy = await startThrottleProxy({ host: sshd.host, port: sshd.port }, MBIT);
    try {
      const sshStorage = fs.mkdtempSync(path.join(path.dirname(storageDir), "ssh-"));
      const sshLocation = await createStorageLocation(db, plugins, owner, { name: "SSH bench", provider: "local", config: { path: sshStorage }, isDefault: false });
      const sshServer = await createServer(db, plugins, owner, { name: "Over a 100 Mbit/s link", kind: "ssh", config: { ...sshd.config, port: proxy.port }, allowedRoots: [path.dirname(DATA_DIR)] });
      const sshEnvironment = await createEnvironment(db, plugins, owner, { projectId: project.id, serverId: sshServer.id, name: "odoo over ssh", stage: "production", source: "odoo", sourceConfig });
      await putOverride(db, owner, sshEnvironment.id, { storageLocationId: sshLocation.id });
      const sshFirst = await counted(proxy, () => backUp(db, owner, sshEnvironment.id, workerEnv, "ssh first"));
      const seconds: Array<{ newBytes: number; seconds: number; bytes: number; database: number; listed: number }> = [];
      for (let run = 1; run <= RUNS; run++) {
        const newBytes = addAttachments();
        const second = await counted(proxy, () => backUp(db, owner, sshEnvironment.id, workerEnv, `ssh second ${run}`));
        const database = second.value.backup.artifacts.find((a) => a.kind === "database")!.size;
        seconds.push({ newBytes, seconds: second.value.seconds, bytes: second.bytes, database, listed: du(FILESTORE).files });
      }
      sshRows = [
        "| run | time | bytes over the link | of which new files | database dump | the rest: listing, commands, SSH |",
        "| --- | --- | --- | --- | --- | --- |",
        `| first backup (every file) | ${sshFirst.value.seconds.toFixed(1)} s | ${mb(sshFirst.bytes)} | | | |`,
        ...seconds.map(
          (r, i) =>
            `| second backup ${i + 1} (${NEW_FILES} new files, ${r.listed} listed) | ${r.seconds.toFixed(1)} s | ${r.bytes} bytes | ${r.newBytes} bytes | ${r.database} bytes | ${r.bytes - r.newBytes - r.database} bytes (${((r.bytes - r.newBytes - r.database) / r.listed).toFixed(0)} per listed file) |`,
        ),
        "",
        `Median second backup: ${runs(seconds.map((r) => r.seconds), (n) => `${n.toFixed(1)} s`)}, ${runs(seconds.map((r) => r.bytes), (n) => `${n} bytes`)} over the link. Each second backup follows ${NEW_FILES} new attachments.`,
      ].join("\n");
      fs.rmSync(sshStorage, { recursive: true, force: true });
    } finally {
      await proxy.stop();
      await sshd.stop();
    }
  }

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const firsts = localRuns.map((r) => r.first.seconds);
  const secondsLocal = localRuns.map((r) => r.second.seconds);
  const ratio = median(secondsLocal) / median(firsts);
  const stored = localRuns[localRuns.length - 1]!.firstObjects;
  const report = `# Filestore benchmark: each file stored once

Command: \`npm run bench:filestore${option("--mb") ? ` -- --files ${FILES} --mb ${TOTAL_MB}` : ""}\` (test/bench/filestore-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}.
Environment: the Odoo 17 fixture database and a filestore of ${before.files} files (${mb(before.bytes)}, random content, named
by sha1), on this host; storage is a local folder. Each run is a fresh \`safehold worker\` (concurrency 1), timed from
the backup's start to its completion, read-back verification included. ${RUNS} runs, each into a storage location of
its own (so each first backup stores every file), each adding ${NEW_FILES} attachments before its second backup; medians in bold.

| step | time | objects written | worker peak RSS |
| --- | --- | --- | --- |
| first backup | ${runs(firsts, (n) => `${n.toFixed(1)} s`)} | ${stored.files} (${mb(stored.bytes)}) | ${localRuns.map((r) => mb(r.first.rss)).join(" / ")} |
| second backup, after ${NEW_FILES} new attachments | ${runs(secondsLocal, (n) => `${n.toFixed(1)} s`)}: **${(ratio * 100).toFixed(1)} %** of the first | **${NEW_FILES}** in each run | ${localRuns.map((r) => mb(r.second.rss)).join(" / ")} |
| restore of the second into a new environment | ${runs(localRuns.map((r) => r.restoreSeconds), (n) => `${n.toFixed(1)} s`)} | filestore **byte-identical** to the source in each run (sha256 of every file) | |
| nights 3–${NIGHTS} in the last run's location, filestore unchanged | median ${median(nightly).toFixed(1)} s | 0 each | |

Storage used by ${NIGHTS} backups of the unchanged filestore (objects, indexes, database dumps, manifests): **${mb(thirty.bytes)}**
(${thirty.files} files). One backup with \`filestoreLayout: archive\` (a full tar each time) stores ${mb(archiveBytes)}
(${archive.seconds.toFixed(1)} s): ${NIGHTS} of them would store about **${mb(archiveBytes * NIGHTS)}**.

## Over SSH, ${MBIT} Mbit/s each way

A TCP proxy in front of the test sshd limits the link and counts the bytes it carries (both directions); this
environment's backups go to a location of their own, so its first backup stores every file.

${sshRows}

Targets (issue 18): the second backup stores only the new files and takes under 10 % of the first one's time; the
restore is byte-identical; ${NIGHTS} backups of an unchanged 2 GB filestore use under 2.2 GB; over SSH the second
backup's bytes are about the new files plus the listing.
`;
  fs.writeFileSync(RESULTS, report);
  console.log(report);
  console.log(`Wrote ${path.relative(ROOT, RESULTS)}`);
  await bench.close();
}

runBench(main);
