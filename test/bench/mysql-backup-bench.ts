/**
 * `npm run bench:mysql -- --mb 1024 --runs 3`: a Safehold backup of a generated MariaDB database of about `--mb`
 * megabytes (default 1024) against `mariadb-dump | gzip`, `--runs` runs each (default 3), plus the worker's peak RSS.
 * A dedicated mariadbd (test/helpers/mariadb.ts) holds the client database; a throw-away embedded PostgreSQL holds
 * Safehold's own. Writes test/bench/results/mysql-backup-<mb>mb.md.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedDatabase } from "@/server/db/embedded";
import { createEnvironment } from "@/server/services/environments";
import { startMariaDb } from "../helpers/mariadb";
import { ROOT, mb, median, runBench, seedSafehold, timeBackups } from "./bench-setup";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value && value > 0 ? value : fallback;
}

const TARGET_MB = option("mb", 1024);
const RUNS = option("runs", 3);
/** About what one generated row takes on disk (InnoDB, with its primary key). */
const BYTES_PER_ROW = 300;

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-mysql-bench-"));
  const maria = await startMariaDb({ prefix: "bench_" });
  const cluster = await startEmbeddedDatabase(path.join(work, "pg"));
  try {
    const rows = Math.ceil((TARGET_MB * 1024 * 1024) / BYTES_PER_ROW);
    console.log(`Generating bench_db with ${rows} rows (~${TARGET_MB} MB)...`);
    const generated = performance.now();
    maria.admin("CREATE DATABASE bench_db CHARACTER SET utf8mb4;");
    // MariaDB's seq_1_to_N tables exist in the current database only.
    maria.admin(`CREATE TABLE bench_db.items (id INT PRIMARY KEY, code CHAR(32) NOT NULL, label VARCHAR(200) NOT NULL, amount DECIMAL(12,2) NOT NULL, created DATETIME NOT NULL, note TEXT) ENGINE=InnoDB;
      INSERT INTO bench_db.items SELECT seq, MD5(seq), CONCAT('Item ', seq, ' — ', SHA1(seq)), seq / 100, '2020-01-01' + INTERVAL seq SECOND, CONCAT(MD5(seq * 3), ' ', MD5(seq * 7), ' ✓ ', SHA2(seq, 256)) FROM seq_1_to_${rows};
      ANALYZE TABLE bench_db.items;`, "bench_db");
    const [[bytes]] = maria.rows("SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'bench_db'") as [[string]];
    console.log(`Generated ${mb(Number(bytes))} in ${((performance.now() - generated) / 1000).toFixed(1)} s`);

    // Safehold's own database, an owner, local-disk storage, this host as server, a mysql environment.
    const safeholdUrl = cluster.url;
    const storageDir = path.join(work, "storage");
    fs.mkdirSync(storageDir);
    const { db, close, plugins, owner, project, server } = await seedSafehold(safeholdUrl, storageDir);
    const environment = await createEnvironment(db, plugins, owner, {
      projectId: project.id,
      serverId: server.id,
      name: "bench_db",
      stage: "production",
      source: "mysql",
      sourceConfig: { host: "127.0.0.1", port: maria.port, user: maria.user, password: maria.password, database: "bench_db" },
    });

    const baseline: number[] = [];
    const baselineFile = path.join(work, "baseline.sql.gz");
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      execFileSync(
        "bash",
        ["-c", `mariadb-dump --no-defaults -h 127.0.0.1 -P ${maria.port} -u ${maria.user} --single-transaction --routines --triggers --events --hex-blob bench_db | gzip > "${baselineFile}"`],
        { env: { ...process.env, MYSQL_PWD: maria.password } },
      );
      baseline.push((performance.now() - started) / 1000);
    }
    const baselineSize = fs.statSync(baselineFile).size;

    const workerEnv = { ...process.env, DATABASE_URL: safeholdUrl, SAFEHOLD_WORKER_CONCURRENCY: "1" };
    const { seconds: safehold, rss, storedSize } = await timeBackups(db, owner, environment.id, { runs: RUNS, workerEnv, includeFilestore: false });
    const ratio = median(safehold) / median(baseline);
    console.log(`bench_db: baseline ${median(baseline).toFixed(1)} s, Safehold ${median(safehold).toFixed(1)} s (${ratio.toFixed(2)}×), peak RSS ${mb(median(rss))}`);

    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const dumpVersion = execFileSync("mariadb-dump", ["--version"], { encoding: "utf8" }).trim();
    const report = `# MySQL/MariaDB backup benchmark (~${TARGET_MB} MB)

Command: \`npm run bench:mysql -- --mb ${TARGET_MB} --runs ${RUNS}\` (test/bench/mysql-backup-bench.ts). Generated ${new Date().toISOString()}.

Machine: ${os.cpus().length} × ${cpu}, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}, Node ${process.version}, ${dumpVersion},
a dedicated MariaDB ${maria.version}; source database and storage on the same local disk.

Baseline: \`mariadb-dump --single-transaction --routines --triggers --events --hex-blob | gzip > file\` (gzip level 6). Safehold: a
manual backup run by a \`safehold worker\` process (concurrency 1) to local-disk storage with the \`mysql\` source, timed from the
backup's start to its completion (streaming mariadb-dump through the console's compression + sha256 to storage, the manifest,
the read-back verification). Peak RSS is the worker's VmHWM (a fresh worker for each run). ${RUNS} runs each; medians in bold.

| database | size on disk | baseline runs | baseline median | Safehold runs | Safehold median | ratio | worker peak RSS | gzip file: baseline / Safehold |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| bench_db | ${mb(Number(bytes))} | ${baseline.map((s) => s.toFixed(1)).join(" / ")} | **${median(baseline).toFixed(1)} s** | ${safehold.map((s) => s.toFixed(1)).join(" / ")} | **${median(safehold).toFixed(1)} s** | **${ratio.toFixed(2)}×** | ${rss.map(mb).join(" / ")} (median **${mb(median(rss))}**) | ${mb(baselineSize)} / ${mb(storedSize)} |

Targets (as for PostgreSQL): Safehold within 1.15× of the baseline's wall time; worker peak RSS under 250 MB and not growing with the database size.
`;
    const results = path.join(ROOT, `test/bench/results/mysql-backup-${TARGET_MB}mb.md`);
    fs.writeFileSync(results, report);
    console.log(`\nWrote ${path.relative(ROOT, results)}`);
    await close();
  } finally {
    await cluster.stop();
    await maria.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runBench(main);
