import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { accepts, freePort } from "./ports";

const MARIADBD = "/usr/sbin/mariadbd";
const INSTALL_DB = "/usr/bin/mariadb-install-db";
const CLIENT = "/usr/bin/mariadb";

export type MariaDb = {
  host: "127.0.0.1";
  port: number;
  /** A user with a password and every privilege on the databases named `<prefix>...`, as a hosting panel would give a CRM. */
  user: string;
  password: string;
  /** The prefix of the databases `user` may create, use and drop (`crm_` by default). */
  prefix: string;
  version: string;
  /** Runs SQL as root over the instance's socket (stdin, batch mode); returns the output, one row a line, tab-separated. */
  admin(sql: string, database?: string): string;
  /** Rows of a query run as root. */
  rows(sql: string, database?: string): string[][];
  stop(): Promise<void>;
};

/** Why no test MariaDB can be started here (not root, or the server missing), or null when it can. */
function mariadbUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "the tests must run as root to start mariadbd";
  for (const file of [MARIADBD, INSTALL_DB, CLIENT]) if (!fs.existsSync(file)) return `${file} is missing (apt-get install mariadb-server mariadb-client)`;
  return null;
}

async function waitForPort(port: number, daemon: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`mariadbd exited with status ${daemon.exitCode}: ${log()}`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mariadbd did not listen on port ${port} within 30 s: ${log()}`);
}

/**
 * Starts a dedicated MariaDB server for one test file (as the embedded PostgreSQL is for the console): its own data
 * folder in a temp dir, its own socket, a free port on 127.0.0.1, so tests never depend on (or touch) a system
 * MariaDB. Root logs in over the socket without a password; `user` logs in over TCP with a password (so a wrong
 * password can be tested) and may only touch databases named `<prefix>…`. Throws, saying what to install, when it
 * cannot run here.
 */
export async function startMariaDb(options: { prefix?: string } = {}): Promise<MariaDb> {
  const reason = mariadbUnavailable();
  if (reason) throw new Error(`Cannot start the test MariaDB: ${reason}`);
  const prefix = options.prefix ?? "crm_";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-mariadb-"));
  const dataDir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const logFile = path.join(dir, "error.log");
  execFileSync(INSTALL_DB, ["--no-defaults", "--auth-root-authentication-method=normal", `--datadir=${dataDir}`, "--user=root", "--skip-test-db"], { stdio: "ignore" });
  const port = await freePort();
  const daemon = spawn(
    MARIADBD,
    [
      "--no-defaults",
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      `--pid-file=${path.join(dir, "mysqld.pid")}`,
      `--log-error=${logFile}`,
      "--skip-name-resolve",
      "--innodb-buffer-pool-size=256M",
      "--innodb-log-file-size=256M",
      "--innodb-flush-log-at-trx-commit=2",
      "--max-allowed-packet=256M",
    ],
    { stdio: "ignore" },
  );
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join(" | ") : "no log");
  try {
    await waitForPort(port, daemon, log);
  } catch (err) {
    daemon.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const admin = (sql: string, database?: string) =>
    execFileSync(CLIENT, ["--no-defaults", `--socket=${socket}`, "--user=root", "--batch", "--skip-column-names", "--default-character-set=utf8mb4", ...(database ? [`--database=${database}`] : [])], {
      input: sql,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  const user = `safehold_${randomBytes(3).toString("hex")}`;
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const pattern = `${prefix.replace(/_/g, "\\_")}%`;
  admin(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON \`${pattern}\`.* TO '${user}'@'%';`);
  const version = admin("SELECT VERSION()").trim();
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    prefix,
    version,
    admin,
    rows: (sql, database) =>
      admin(sql, database)
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("\t")),
    stop: async () => {
      if (daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon.once("exit", resolve));
        daemon.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        if (daemon.exitCode === null) daemon.kill("SIGKILL");
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
