/**
 * `npm run bench:backup`: Safehold backups of generated PostgreSQL databases (~10 MB, ~250 MB, ~1 GB) against
 * `pg_dump --no-owner | gzip` and `pg_dump --no-owner` alone, 3 runs each, with the worker's peak RSS and both
 * compressed sizes. Writes test/bench/results/backup.md. The generated databases are kept in test/bench/.data so
 * later runs skip the generation; `--only bench_10mb` runs one of them.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GZIP_BLOCK_SIZE, GZIP_LEVEL, defaultGzipConcurrency } from "@/server/backups/parallel-gzip";
import { ENCRYPT, ROOT, RUNS, SIZES, mb, median, openBench, resultsFile, runBench, timeBackups } from "./bench-setup";

const RESULTS = resultsFile("backup");
/** Safehold's wall time as a multiple of the baseline's, at most: issue 16's targets. The smallest database shows the fixed cost instead. */
const TARGET_RATIO: Record<string, number> = { bench_250mb: 1.0, bench_1gb: 0.75 };
const RSS_LIMIT = 250 * 1024 * 1024;
const SIZE_TOLERANCE = 0.05;

/** Seconds of each of `runs` runs of a shell pipeline against the bench cluster. */
function timeShell(command: string, env: NodeJS.ProcessEnv): number[] {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    execFileSync("bash", ["-c", `set -o pipefail; ${command}`], { env });
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds;
}

const runs = (xs: number[]) => `${xs.map((s) => s.toFixed(2)).join(" / ")} (**${median(xs).toFixed(2)} s**)`;
const sizeMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const { admin, db, owner, storageDir, port, password, workerEnv, environmentFor, close } = await openBench();

  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const size of SIZES) {
    const [{ bytes }] = (await admin`select pg_database_size(${size.name})::bigint as bytes`) as unknown as [{ bytes: string }];
    const environment = await environmentFor(size.name);
    const env = { ...process.env, PGPASSWORD: password };
    const dump = `pg_dump --no-owner -h 127.0.0.1 -p ${port} -U safehold ${size.name}`;
    const baselineFile = path.join(storageDir, `${size.name}-baseline.sql.gz`);

    const dumpOnly = timeShell(`${dump} > /dev/null`, env);
    const baseline = timeShell(`${dump} | gzip > "${baselineFile}"`, env);
    const baselineSize = fs.statSync(baselineFile).size;
    fs.rmSync(baselineFile);

    const { seconds: safehold, rss, storedSize } = await timeBackups(db, owner, environment.id, { runs: RUNS, workerEnv, includeFilestore: true });
    const ratio = median(safehold) / median(baseline);
    const sizeRatio = storedSize / baselineSize;
    console.log(`${size.name}: pg_dump ${median(dumpOnly).toFixed(2)} s, baseline ${median(baseline).toFixed(2)} s, Safehold ${median(safehold).toFixed(2)} s (${ratio.toFixed(2)}×), peak RSS ${mb(median(rss))}`);
    rows.push(
      `| ${size.name} | ${mb(Number(bytes))} | ${runs(dumpOnly)} | ${runs(baseline)} | ${runs(safehold)} | **${ratio.toFixed(2)}×** | ${(median(safehold) - median(baseline)).toFixed(2)} s | ${rss.map(mb).join(" / ")} | ${sizeMb(baselineSize)} / ${sizeMb(storedSize)} (${((sizeRatio - 1) * 100).toFixed(1)} %) |`,
    );
    const target = TARGET_RATIO[size.name];
    const checks = [
      ...(target ? [`time ${ratio.toFixed(2)}× ≤ ${target.toFixed(2)}×: ${ratio <= target ? "met" : "NOT met"}`] : []),
      `peak RSS ${mb(Math.max(...rss))} < ${mb(RSS_LIMIT)}: ${Math.max(...rss) < RSS_LIMIT ? "met" : "NOT met"}`,
      `size within ${SIZE_TOLERANCE * 100} % of gzip's: ${Math.abs(sizeRatio - 1) <= SIZE_TOLERANCE ? "met" : "NOT met"}`,
    ];
    verdicts.push(`- ${size.name}: ${checks.join("; ")}`);
  }

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const pgDump = execFileSync("pg_dump", ["--version"], { encoding: "utf8" }).trim();
  const report = `# Backup benchmark

Command: \`npm run bench:backup${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` (test/bench/backup-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${pgDump},
embedded PostgreSQL ${(await admin`show server_version`)[0]!.server_version}; source database and storage on the same local disk.

Baseline: \`pg_dump --no-owner | gzip > file\` (GNU gzip, level 6); \`pg_dump --no-owner > /dev/null\` shows what the dump alone
takes, the floor under any backup of it. Safehold: a manual backup run by a \`safehold worker\` process (concurrency 1) to
local-disk storage, timed from the backup's start to its completion, which includes the source checks, streaming pg_dump
through gzip${ENCRYPT ? " + age encryption to the organization key" : ""} + sha256 to storage, writing the signed manifest and reading every file back to verify it.
Compression: on the worker, zlib level ${GZIP_LEVEL} in blocks of ${GZIP_BLOCK_SIZE / 1024 / 1024} MiB compressed ${defaultGzipConcurrency()} at a time, stored as one
multi-member gzip file. Peak RSS is the worker process's VmHWM (a fresh worker for each run). ${RUNS} runs each; medians in bold.

| database | size on disk | pg_dump alone | baseline (pg_dump \\| gzip) | Safehold | ratio | Safehold − baseline | worker peak RSS | gzip file: baseline / Safehold |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Targets (issue 16): ~1 GB ≤ 0.75× the baseline's wall time, ~250 MB ≤ 1.0×, with a compressed size within 5 % of gzip's;
worker peak RSS under 250 MB and flat across sizes. The ~10 MB database shows the fixed cost of a backup (Safehold − baseline).

${verdicts.join("\n")}
`;
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, report);
  console.log(`\nWrote ${path.relative(ROOT, RESULTS)}`);
  await close();
}

runBench(main);
