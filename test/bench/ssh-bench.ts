/**
 * `npm run bench:ssh`: backups and restores of the ~250 MB and ~1 GB PostgreSQL databases over SSH through a
 * link throttled to 100 Mbit/s each way (a TCP proxy in front of the test sshd), against `ssh host 'pg_dump | gzip'
 * > file` and `ssh host 'gunzip | psql' < file`, with the bytes that crossed the link. Safehold runs twice: with
 * the server compressing (the default), and with the server's setting off (the console compresses: raw bytes
 * cross). `--mb N`: one database of ~N MB instead (a quick run); `--runs N` (default 3); `--after-only`: without the
 * console-compresses runs (while developing); `--trace`: prints each Safehold run's log with times from its start. Writes
 * test/bench/results/ssh.md (ssh-<N>mb.md with --mb). Needs root (it creates the SSH user) and openssh-server.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createServer, updateServer } from "@/server/services/servers";
import { startSshd } from "../helpers/sshd";
import { ROOT, RUNS, SIZES, completedRun, mb, median, openBench, runBench, startWorker, timedRestore } from "./bench-setup";
import { startThrottleProxy, type ThrottleProxy } from "./throttle-proxy";

const MBIT = 100;
const at = process.argv.indexOf("--mb");
const QUICK_MB = at >= 0 ? Number(process.argv[at + 1]) : null;
if (QUICK_MB !== null && !(QUICK_MB > 0)) throw new Error("--mb takes a size in MB, e.g. --mb 20");
const BENCH_SIZES = QUICK_MB ? [{ name: `bench_${QUICK_MB}mb`, targetMb: QUICK_MB }] : SIZES;
const AFTER_ONLY = process.argv.includes("--after-only");
const RESULTS = path.join(ROOT, `test/bench/results/ssh${QUICK_MB ? `-${QUICK_MB}mb` : ""}.md`);

type Measured = { seconds: number[]; bytes: number[] };


/** Runs `script` on the bench host over `ssh` through the proxy; stdin from `input`, stdout to `output`. Resolves with the wall time in seconds. */
function sshRun(ssh: string[], script: string, files: { input?: string; output?: string }): Promise<number> {
  const started = performance.now();
  const child = spawn("ssh", [...ssh, script], {
    stdio: [files.input ? fs.openSync(files.input, "r") : "ignore", files.output ? fs.openSync(files.output, "w") : "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`ssh ${script.slice(0, 40)}… failed (${code}): ${stderr}`)))),
  );
}

/** Bytes over the link (both ways) while `run` ran, and what it returned (its seconds). */
async function counted(proxy: ThrottleProxy, run: () => Promise<number>): Promise<{ seconds: number; bytes: number }> {
  const before = proxy.bytes();
  const seconds = await run();
  const after = proxy.bytes();
  return { seconds, bytes: after.up - before.up + (after.down - before.down) };
}

function push(into: Measured, one: { seconds: number; bytes: number }) {
  into.seconds.push(one.seconds);
  into.bytes.push(one.bytes);
}

const modes = AFTER_ONLY ? (["server"] as const) : (["server", "worker"] as const);
const empty = (): Measured => ({ seconds: [], bytes: [] });

async function safeholdBackup(db: Db, owner: Principal, environmentId: string, workerEnv: NodeJS.ProcessEnv): Promise<{ seconds: number; backupId: string }> {
  const worker = startWorker(workerEnv);
  await worker.ready;
  try {
    const created = await createBackup(db, owner, { environmentId, name: "over ssh", notes: "", includeFilestore: false, retention: "daily" });
    const { run, seconds } = await completedRun("backup", () => getBackup(db, owner, created.id));
    return { seconds, backupId: run.id };
  } finally {
    await worker.stop();
  }
}

const notRun = "not run (--after-only)";
const secs = (m: Measured) => !m.seconds.length ? notRun : `${m.seconds.map((s) => s.toFixed(1)).join(" / ")} (**${median(m.seconds).toFixed(1)} s**)`;
const bytes = (m: Measured) => !m.bytes.length ? "" : `**${mb(median(m.bytes))}**`;
const ratio = (m: Measured, base: Measured) => !m.seconds.length ? "" : `**${(median(m.seconds) / median(base.seconds)).toFixed(2)}×**`;
const byteRatio = (m: Measured, base: Measured) => !m.bytes.length ? "" : `${(median(m.bytes) / median(base.bytes)).toFixed(2)}×`;

async function main() {
  const bench = await openBench(BENCH_SIZES);
  const { admin, db, plugins, owner, project, port, password, workerEnv } = bench;
  const sshd = await startSshd({ user: "safehold-bench" });
  const proxy = await startThrottleProxy({ host: sshd.host, port: sshd.port }, MBIT);
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "safehold-bench-key-")), "id");
  fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
  const ssh = ["-p", String(proxy.port), "-i", keyFile, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "Compression=no", `${sshd.username}@127.0.0.1`];
  const server = await createServer(db, plugins, owner, { name: "Over a 100 Mbit/s link", kind: "ssh", config: { ...sshd.config, port: proxy.port }, allowedRoots: [sshd.home] });
  const pg = `PGPASSWORD='${password}' `;
  const rows: string[] = [];
  try {
    for (const size of BENCH_SIZES) {
      const environment = await createEnvironment(db, plugins, owner, {
        projectId: project.id,
        serverId: server.id,
        name: `${size.name} over ssh`,
        stage: "production",
        source: "postgres",
        sourceConfig: { host: "127.0.0.1", port, user: "safehold", password, database: size.name },
      });
      const dumpFile = path.join(os.tmpdir(), `safehold-bench-${size.name}.sql.gz`);
      const backup = { baseline: empty(), server: empty(), worker: empty() };
      const restore = { baseline: empty(), server: empty(), worker: empty() };
      const backupIds = { server: "", worker: "" };
      for (let i = 0; i < RUNS; i++) {
        push(backup.baseline, await counted(proxy, () => sshRun(ssh, `${pg}pg_dump --no-owner -h 127.0.0.1 -p ${port} -U safehold ${size.name} | gzip`, { output: dumpFile })));
        for (const on of modes) {
          await updateServer(db, plugins, owner, { id: server.id, compressOn: on });
          const run = await counted(proxy, async () => {
            const done = await safeholdBackup(db, owner, environment.id, workerEnv);
            backupIds[on] = done.backupId;
            return done.seconds;
          });
          push(backup[on], run);
        }
      }
      for (let i = 0; i < RUNS; i++) {
        const target = `${size.name}_ssh_copy`;
        await admin.unsafe(`drop database if exists ${target} with (force)`);
        await admin.unsafe(`create database ${target} template template0`);
        push(restore.baseline, await counted(proxy, () => sshRun(ssh, `gunzip | ${pg}psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ${port} -U safehold -d ${target} > /dev/null`, { input: dumpFile })));
        for (const on of modes) {
          await admin.unsafe(`drop database if exists ${target} with (force)`);
          await updateServer(db, plugins, owner, { id: server.id, compressOn: on });
          const name = `${size.name} restored ${on} ${i + 1}`;
          push(restore[on], await counted(proxy, () => timedRestore(db, plugins, owner, { backupId: backupIds.server, projectId: project.id, serverId: server.id, name, sourceConfig: { database: target }, includeFilestore: false }, workerEnv).then((r) => r.seconds)));
          await db.execute(`delete from environments where name = '${name}'`);
        }
        await admin.unsafe(`drop database if exists ${target} with (force)`);
      }
      const gzSize = fs.statSync(dumpFile).size;
      fs.rmSync(dumpFile);
      console.log(
        `${size.name}: backup baseline ${median(backup.baseline.seconds).toFixed(1)} s, server ${median(backup.server.seconds).toFixed(1)} s, worker ${median(backup.worker.seconds)?.toFixed(1)} s; ` +
          `restore baseline ${median(restore.baseline.seconds).toFixed(1)} s, server ${median(restore.server.seconds).toFixed(1)} s, worker ${median(restore.worker.seconds)?.toFixed(1)} s`,
      );
      rows.push(
        `| ${size.name} backup | ${mb(gzSize)} | ${secs(backup.baseline)}, ${bytes(backup.baseline)} | ${secs(backup.server)}, ${bytes(backup.server)} | ${ratio(backup.server, backup.baseline)}, bytes ${byteRatio(backup.server, backup.baseline)} | ${secs(backup.worker)}, ${bytes(backup.worker)} | ${ratio(backup.worker, backup.baseline)}, bytes ${byteRatio(backup.worker, backup.baseline)} |`,
        `| ${size.name} restore | ${mb(gzSize)} | ${secs(restore.baseline)}, ${bytes(restore.baseline)} | ${secs(restore.server)}, ${bytes(restore.server)} | ${ratio(restore.server, restore.baseline)}, bytes ${byteRatio(restore.server, restore.baseline)} | ${secs(restore.worker)}, ${bytes(restore.worker)} | ${ratio(restore.worker, restore.baseline)}, bytes ${byteRatio(restore.worker, restore.baseline)} |`,
      );
    }
  } finally {
    await proxy.stop();
    await sshd.stop();
    fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
  }

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const tools = [execFileSync("pg_dump", ["--version"], { encoding: "utf8" }).trim(), execFileSync("ssh", ["-V"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim() || "OpenSSH"].join(", ");
  const report = `# SSH benchmark: compressing where the data is

Command: \`npm run bench:ssh${QUICK_MB ? ` -- --mb ${QUICK_MB}` : ""}\` (test/bench/ssh-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${tools}.
The "server" is this machine behind the test sshd, reached through a TCP proxy limited to ${MBIT} Mbit/s each way (token
bucket, 64 KiB burst) that counts the bytes it carries; PostgreSQL (embedded) runs beside it on 127.0.0.1.

- Baseline backup: \`ssh host 'pg_dump --no-owner … | gzip' > file\`; baseline restore: \`ssh host 'gunzip | psql -q -v ON_ERROR_STOP=1 …' < file\`
  into an empty database.
- Safehold, server compression (the default): the backup's dump is gzipped on the server (niced) and stored as it arrives;
  the restore sends the stored gzip file and the server decompresses it into psql.
- Safehold, server setting off (the behaviour before this change): the dump crosses the link uncompressed and the
  console gzips it; the restore decompresses on the console and sends plain SQL.

Safehold is timed from the run's start to its completion (a fresh \`safehold worker\`, concurrency 1, for each run; the
backup includes the read-back verification). Bytes are both directions through the proxy. ${RUNS} runs each; medians in bold.

| run | stored gzip | baseline: time, bytes | Safehold, server compresses | vs baseline | Safehold, console compresses | vs baseline |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets: Safehold (server compressing) within 1.1× of the baseline's time, and its bytes over the link within 10 % of the baseline's.
`;
  fs.writeFileSync(RESULTS, report);
  console.log(`\nWrote ${path.relative(ROOT, RESULTS)}`);
  await bench.close();
}

runBench(main);
