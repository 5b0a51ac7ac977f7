import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { accepts, freePort } from "./ports";

const PROFTPD = "/usr/sbin/proftpd";
/** Where Debian's proftpd keeps its loadable modules; mod_tls comes from proftpd-mod-crypto. */
const MODULE_PATH = "/usr/lib/proftpd";
/**
 * Passive data ports: a block this size in 20000-32767, below Linux's ephemeral range (32768-60999), where
 * outgoing connections and port-0 listeners (the other test servers) take theirs.
 */
const PASSIVE_PORTS = 16;
const PASSIVE_FROM = 20_000;
const PASSIVE_TO = 32_767;

export type Proftpd = {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** The user's home: the root of what the FTP session sees (`DefaultRoot ~`). */
  home: string;
  uid: number;
  gid: number;
  stop(): Promise<void>;
};

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/**
 * Why no test proftpd can be started here (not root, proftpd missing, or for `tls` mod_tls or openssl
 * missing), or null when it can.
 */
function proftpdUnavailable(options: { tls?: boolean } = {}): string | null {
  if (process.getuid?.() !== 0) return "the tests must run as root to create the FTP user and start proftpd";
  if (!fs.existsSync(PROFTPD)) return `${PROFTPD} is missing (apt-get install proftpd-core)`;
  if (options.tls) {
    const modTls = path.join(MODULE_PATH, "mod_tls.so");
    if (!fs.existsSync(modTls)) return `${modTls} is missing (apt-get install proftpd-mod-crypto)`;
    try {
      run("openssl", ["version"]);
    } catch {
      return "openssl is missing (apt-get install openssl)";
    }
  }
  return null;
}

/**
 * Directives for FTPS by explicit TLS (AUTH TLS), required on the control and data connections, with a
 * self-signed certificate for 127.0.0.1 made in `dir`.
 */
function tlsDirectives(dir: string): string[] {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert]);
  return [
    `ModulePath ${MODULE_PATH}`,
    "LoadModule mod_tls.c",
    "TLSEngine on",
    "TLSRequired on",
    `TLSRSACertificateFile ${cert}`,
    `TLSRSACertificateKeyFile ${key}`,
    "TLSProtocol TLSv1.2 TLSv1.3",
    // basic-ftp does not resume the control connection's TLS session on data connections.
    "TLSOptions NoSessionReuseRequired",
    "TLSVerifyClient off",
    `TLSLog ${path.join(dir, "tls.log")}`,
  ];
}

/**
 * Creates the unix user if missing and sets its password. Test files run in parallel and the shadow tools lock
 * /etc/passwd and /etc/shadow, so a busy lock is retried.
 */
async function ensureUser(user: string, password: string): Promise<{ uid: number; gid: number; home: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      try {
        run("id", ["-u", user]);
      } catch {
        run("useradd", ["-m", "-s", "/bin/sh", user]);
      }
      run("chpasswd", [], `${user}:${password}\n`);
      const [, , uid, gid, , home] = run("getent", ["passwd", user]).trim().split(":");
      return { uid: Number(uid), gid: Number(gid), home: home! };
    } catch (err) {
      if (attempt === 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}


function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A block of free ports for passive transfers; another test's proftpd picks another block, most likely. */
async function passivePorts(): Promise<[number, number]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = PASSIVE_FROM + Math.floor(Math.random() * (PASSIVE_TO - PASSIVE_FROM - PASSIVE_PORTS));
    const ports = Array.from({ length: PASSIVE_PORTS }, (_, i) => first + i);
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return [first, first + PASSIVE_PORTS - 1];
  }
  throw new Error(`No ${PASSIVE_PORTS} consecutive free ports found for passive FTP`);
}

/**
 * Starts a real proftpd for one test file: standalone on a free port of 127.0.0.1, logins by the unix
 * password of `user` (created if missing), each session locked in that user's home; with `tls`, FTPS by
 * explicit TLS only (a self-signed certificate). Throws, saying what to install, when not root or proftpd (or
 * for `tls` its mod_tls) is not installed: the tests need a real FTP server.
 */
export async function startProftpd(options: { user: string; password: string; tls?: boolean }): Promise<Proftpd> {
  const reason = proftpdUnavailable(options);
  if (reason) throw new Error(`Cannot start the test ${options.tls ? "FTPS" : "FTP"} server: ${reason}`);
  const { user, password } = options;
  const { uid, gid, home } = await ensureUser(user, password);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-proftpd-"));
  const port = await freePort();
  const [passiveFirst, passiveLast] = await passivePorts();
  const conf = path.join(dir, "proftpd.conf");
  const logFile = path.join(dir, "proftpd.log");
  fs.writeFileSync(
    conf,
    [
      'ServerName "Safehold test FTP"',
      "ServerType standalone",
      "DefaultServer on",
      `Port ${port}`,
      "DefaultAddress 127.0.0.1",
      "SocketBindTight on",
      "UseIPv6 off",
      "User nobody",
      "Group nogroup",
      // Unix passwords only: no PAM (its session modules expect a system service), no /etc/shells check.
      "AuthPAM off",
      "AuthOrder mod_auth_unix.c",
      "RequireValidShell off",
      `PassivePorts ${passiveFirst} ${passiveLast}`,
      "DefaultRoot ~",
      "AllowOverwrite on",
      "Umask 022",
      "UseReverseDNS off",
      "MaxInstances 30",
      `PidFile ${path.join(dir, "proftpd.pid")}`,
      `ScoreboardFile ${path.join(dir, "proftpd.scoreboard")}`,
      `SystemLog ${logFile}`,
      `TransferLog ${path.join(dir, "xferlog")}`,
      // mod_delay pads USER and PASS replies to hide timing: off, and no table of timings to keep.
      "DelayEngine off",
      "DelayTable none",
      // Nothing written to the system's login records.
      "WtmpLog off",
      ...(options.tls ? tlsDirectives(dir) : []),
      "",
    ].join("\n"),
  );
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().slice(-4000) : "");
  const outFd = fs.openSync(path.join(dir, "proftpd.out"), "a");
  // Output goes to a file, not a pipe: the per-session processes inherit it and would keep a pipe (and this test
  // process) open until their clients disconnect.
  const daemon = spawn(PROFTPD, ["-n", "-c", conf], { stdio: ["ignore", outFd, outFd], detached: true });
  fs.closeSync(outFd);
  const output = () => `${fs.readFileSync(path.join(dir, "proftpd.out"), "utf8").trim()} ${log()}`.trim().slice(-4000);
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  const kill = () => {
    try {
      // The daemon and its session processes share its process group.
      process.kill(-daemon.pid!, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  // A test process that ends without stop() (a crash, a timeout) must not leave proftpd running.
  process.once("exit", kill);
  const stop = async () => {
    process.removeListener("exit", kill);
    if (daemon.exitCode === null && daemon.signalCode === null) {
      kill();
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (daemon.exitCode !== null) throw new Error(`proftpd exited with status ${daemon.exitCode}: ${output()}`);
      if (Date.now() > deadline) throw new Error(`proftpd did not listen on port ${port} within 10 s: ${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: "127.0.0.1", port, user, password, home, uid, gid, stop };
}
