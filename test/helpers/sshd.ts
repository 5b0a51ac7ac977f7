import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { accepts, freePort } from "./ports";

const SSHD = "/usr/sbin/sshd";

/** A config for the `ssh` server kind that reaches the test sshd, its host key pinned. */
export type SshServerConfig = { host: string; port: number; username: string; privateKey: string; hostKeyFingerprint: string };

export type Sshd = {
  host: "127.0.0.1";
  port: number;
  username: string;
  /** The client private key (OpenSSH format) authorized for `username`. */
  privateKey: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:...`). */
  fingerprint: string;
  /** A fresh data folder owned by `username`, removed by `stop()`. */
  home: string;
  uid: number;
  gid: number;
  config: SshServerConfig;
  /** Adds a public key (one `authorized_keys` line) to the keys this sshd accepts for `username`. */
  authorize(publicKey: string): void;
  stop(): Promise<void>;
};

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Why no test sshd can be started here (not root, or sshd missing), or null when it can. */
function sshdUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "the tests must run as root to create the test user and start sshd";
  if (!fs.existsSync(SSHD)) return `${SSHD} is missing (apt-get install openssh-server)`;
  return null;
}

/**
 * Creates the unix user if missing; a `*` password field lets key logins in (with `!` sshd says the account is
 * locked). Test files run in parallel and the shadow tools lock /etc/passwd, so a busy lock is retried.
 */
async function ensureUser(user: string): Promise<{ uid: number; gid: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      try {
        run("id", ["-u", user]);
      } catch {
        run("useradd", ["-m", "-s", "/bin/sh", user]);
      }
      run("usermod", ["-p", "*", user]);
      return { uid: Number(run("id", ["-u", user]).trim()), gid: Number(run("id", ["-g", user]).trim()) };
    } catch (err) {
      if (attempt === 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}



async function waitForPort(port: number, daemon: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (daemon.exitCode !== null) throw new Error(`sshd exited with status ${daemon.exitCode}: ${log()}`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on port ${port} within 10 s: ${log()}`);
}

/** Processes whose parent is `pid`, from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the parenthesised command name: state, then the parent pid.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

function signal(pid: number): void {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

function keyPair(dir: string, name: string): { privateKey: string; publicKey: string; file: string } {
  const file = path.join(dir, name);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `safehold-test-${name}`, "-f", file]);
  return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8"), file };
}

/**
 * Starts a real OpenSSH sshd for one test file: its own process on a free port of 127.0.0.1 with a freshly
 * generated ed25519 host key (so two calls stand in for two different hosts), accepting one generated client
 * key for `user`. Throws, saying what to install, when it cannot run here: the tests need a real sshd.
 */
export async function startSshd(options: { user: string; sshdConfig?: string[] }): Promise<Sshd> {
  const reason = sshdUnavailable();
  if (reason) throw new Error(`Cannot start the test sshd: ${reason}`);
  const { user } = options;
  const { uid, gid } = await ensureUser(user);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sshd-"));
  // sshd reads authorized_keys as the user: the folder must be traversable and the file readable by it.
  fs.chmodSync(dir, 0o711);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `safehold-${user}-`));
  fs.chownSync(home, uid, gid);
  const hostKey = keyPair(dir, "host_key");
  const client = keyPair(dir, "client_key");
  const authorizedKeys = path.join(dir, "authorized_keys");
  fs.writeFileSync(authorizedKeys, client.publicKey, { mode: 0o644 });
  const fingerprint = run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKey.file}.pub`]).split(" ")[1]!;
  const port = await freePort();
  const conf = path.join(dir, "sshd_config");
  fs.writeFileSync(
    conf,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey.file}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      // The key files live in a temp dir owned by root, not in the user's ~/.ssh.
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin no",
      "UseDNS no",
      `AllowUsers ${user}`,
      "Subsystem sftp internal-sftp",
      ...(options.sshdConfig ?? []),
      "",
    ].join("\n"),
  );
  fs.mkdirSync("/run/sshd", { recursive: true });
  // Logs go to a file, not a pipe: the per-connection sshd processes inherit it and would keep a pipe (and this
  // test process) open until their clients disconnect.
  const logFile = path.join(dir, "sshd.log");
  const logFd = fs.openSync(logFile, "a");
  const daemon = spawn(SSHD, ["-D", "-e", "-f", conf], { stdio: ["ignore", "ignore", logFd], detached: true });
  fs.closeSync(logFd);
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().slice(-4000) : "");
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  // A test process that ends without stop() (a crash, a timeout) must not leave sshd running.
  const killOnExit = () => signal(-daemon.pid!);
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (daemon.exitCode === null && daemon.signalCode === null) {
      // The per-connection processes first (children of the listener, which reaps them), then its process group.
      for (const pid of childPids(daemon.pid!)) signal(pid);
      for (let i = 0; i < 20 && childPids(daemon.pid!).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      signal(-daemon.pid!);
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, daemon, log);
  } catch (err) {
    await stop();
    throw err;
  }
  const config = { host: "127.0.0.1", port, username: user, privateKey: client.privateKey, hostKeyFingerprint: fingerprint };
  return {
    host: "127.0.0.1",
    port,
    username: user,
    privateKey: client.privateKey,
    fingerprint,
    home,
    uid,
    gid,
    config,
    authorize: (publicKey) => fs.appendFileSync(authorizedKeys, `${publicKey.trim()}\n`),
    stop,
  };
}

/** A folder under the sshd's data folder owned by its user (tests run as root and would otherwise create root-owned ones). */
export function makeUserDir(sshd: Sshd, name: string): string {
  const dir = path.join(sshd.home, name);
  fs.mkdirSync(dir, { recursive: true });
  for (let d = dir; d !== sshd.home; d = path.dirname(d)) fs.chownSync(d, sshd.uid, sshd.gid);
  return dir;
}
