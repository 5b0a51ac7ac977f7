/**
 * `npm run bench:backup`: a Safehold backup of a ~1 GB PostgreSQL database against `pg_dump --no-owner | gzip`,
 * 3 runs each, plus the worker's peak RSS for a ~250 MB and the ~1 GB database. Writes test/bench/results/backup.md.
 * The generated databases are kept in test/bench/.data so later runs skip the generation.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ENCRYPT, ROOT, RUNS, SIZES, mb, median, openBench, resultsFile, runBench, timeBackups } from "./bench-setup";

const RESULTS = resultsFile("backup");

async function main() {
  const { admin, db, owner, storageDir, port, password, workerEnv, environmentFor, close } = await openBench();

  const rows: string[] = [];
  for (const size of SIZES) {
    const [{ bytes }] = (await admin`select pg_database_size(${size.name})::bigint as bytes`) as unknown as [{ bytes: string }];
    const environment = await environmentFor(size.name);

    const baseline: number[] = [];
    const baselineFile = path.join(storageDir, `${size.name}-baseline.sql.gz`);
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      execFileSync("bash", ["-c", `pg_dump --no-owner -h 127.0.0.1 -p ${port} -U safehold ${size.name} | gzip > "${baselineFile}"`], { env: { ...process.env, PGPASSWORD: password } });
      baseline.push((performance.now() - started) / 1000);
    }
    const baselineSize = fs.statSync(baselineFile).size;
    fs.rmSync(baselineFile);

    const { seconds: safehold, rss, storedSize } = await timeBackups(db, owner, environment.id, { runs: RUNS, workerEnv, includeFilestore: true });
    const ratio = median(safehold) / median(baseline);
    console.log(`${size.name}: baseline ${median(baseline).toFixed(1)} s, Safehold ${median(safehold).toFixed(1)} s (${ratio.toFixed(2)}×), peak RSS ${mb(median(rss))}`);
    rows.push(
      `| ${size.name} | ${mb(Number(bytes))} | ${baseline.map((s) => s.toFixed(1)).join(" / ")} | **${median(baseline).toFixed(1)} s** | ${safehold.map((s) => s.toFixed(1)).join(" / ")} | **${median(safehold).toFixed(1)} s** | **${ratio.toFixed(2)}×** | ${rss.map(mb).join(" / ")} (median **${mb(median(rss))}**) | ${mb(baselineSize)} / ${mb(storedSize)} |`,
    );
  }

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const pgDump = execFileSync("pg_dump", ["--version"], { encoding: "utf8" }).trim();
  const report = `# Backup benchmark

Command: \`npm run bench:backup${ENCRYPT ? " -- --encrypt" : ""}\` (test/bench/backup-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${pgDump},
embedded PostgreSQL ${(await admin`show server_version`)[0]!.server_version}; source database and storage on the same local disk.

Baseline: \`pg_dump --no-owner | gzip > file\` (gzip level 6). Safehold: a manual backup run by a \`safehold worker\` process
(concurrency 1) to local-disk storage, timed from the backup's start to its completion, which includes streaming
pg_dump through gzip${ENCRYPT ? " + age encryption to the organization key" : ""} + sha256 to storage, writing the manifest and reading every file back to verify its checksum.
Peak RSS is the worker process's VmHWM (a fresh worker for each run). ${RUNS} runs each; medians in bold.

| database | size on disk | baseline runs | baseline median | Safehold runs | Safehold median | ratio | worker peak RSS | gzip file: baseline / Safehold |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets: Safehold within 1.15× of the baseline's wall time; worker peak RSS under 250 MB and not growing with the database size.
`;
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, report);
  console.log(`\nWrote ${path.relative(ROOT, RESULTS)}`);
  await close();
}

runBench(main);
