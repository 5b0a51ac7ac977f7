import { spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Duplex, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PluginError, type ExecExit, type ExecHandle, type ExecOptions, type ServerConnection, type ServerKindContribution } from "@safehold/plugin-api";

const TCP_TIMEOUT_MS = 10_000;

/** What a command on this host inherits from the console: where programs are, who and where it is, never its secrets. */
const INHERITED = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR)$/;

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => INHERITED.test(name));
  return { ...Object.fromEntries(inherited), ...extra } as NodeJS.ProcessEnv;
}

function exec(command: string, args: string[], options: ExecOptions = {}): ExecHandle {
  // canCompress() says no, so a caller asking anyway would get output it does not expect.
  if (options.compressOutput || options.decompressInput) throw new Error("This host does not compress on the server: the console compresses");
  const child = spawn(command, args, {
    cwd: options.cwd,
    // The console's own environment holds DATABASE_URL and SAFEHOLD_* (the key to every stored secret).
    env: childEnv(options.env),
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    signal: options.signal,
  });
  if (options.lowPriority && child.pid) {
    // Best effort, as on a remote server: a host that refuses leaves the command at its normal priority.
    try {
      os.setPriority(child.pid, 10);
    } catch {
      // keeps the normal priority
    }
  }
  if (options.stdin && child.stdin) {
    // The command may exit before reading all its input (EPIPE): its exit status tells what happened.
    child.stdin.on("error", () => {});
    options.stdin.on("error", () => child.kill("SIGTERM"));
    options.stdin.pipe(child.stdin);
  }
  const exit = new Promise<ExecExit>((resolve, reject) => {
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") reject(new Error(`Command "${command}" is not installed on this server (not found in PATH)`));
      else if (err.name === "AbortError") resolve({ code: null, signal: "SIGTERM" });
      else reject(new Error(`Cannot run "${command}": ${err.message}`));
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { stdout: child.stdout!, stderr: child.stderr!, exit, kill: () => child.kill("SIGTERM") };
}

function openTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(PluginError.unavailable(`No answer from ${host}:${port} within ${TCP_TIMEOUT_MS / 1000} s`));
    }, TCP_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A refused or unanswered connection may work later (the service restarting); an unknown host will not.
      if (err.code === "ECONNREFUSED") reject(PluginError.unavailable(`Nothing is listening on ${host}:${port} (connection refused)`, { cause: err }));
      else if (err.code === "ENOTFOUND") reject(new Error(`Host ${host} cannot be resolved`));
      else if (err.code === "EAI_AGAIN") reject(PluginError.unavailable(`Host ${host} cannot be resolved right now`, { cause: err }));
      else reject(PluginError.unavailable(`Cannot connect to ${host}:${port}: ${err.message}`, { cause: err }));
    });
  });
}

async function readFile(file: string): Promise<Readable> {
  try {
    await fs.access(file);
  } catch {
    throw new Error(`${file} does not exist or cannot be read`);
  }
  return createReadStream(file);
}

async function writeFile(file: string, content: Readable): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.partial-${process.pid}-${Date.now()}`;
  try {
    await pipeline(content, createWriteStream(temp, { flags: "wx" }));
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

function connection(): ServerConnection {
  return {
    exec,
    openTcp,
    readFile,
    writeFile,
    close: async () => {},
    // The data is already where the console is: no link to spare, and the console compresses with every core.
    canCompress: async () => ({ ok: false, reason: "the server is the console's own host: nothing crosses a link", sameHost: true }),
  };
}

export const localServerKind: ServerKindContribution = {
  async connect() {
    return connection();
  },
  async testConnection(_context, { signal }) {
    signal.throwIfAborted();
    return {
      ok: true,
      message: `This host (${os.hostname()}, ${os.type()} ${os.release()}) is reachable`,
      details: { hostname: os.hostname(), platform: os.platform(), cpus: os.cpus().length },
    };
  },
};
