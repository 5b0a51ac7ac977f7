import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { PassThrough, type Duplex, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ExecOptions, ManagedServer } from "@safehold/plugin-api";

/**
 * A ManagedServer on the test's own machine, with no admin rules (every folder and database allowed): enough to
 * test a source without the console. Not the console's `local` server kind, which enforces the rules.
 */
export function localManagedServer(): ManagedServer {
  return {
    exec(command: string, args: string[], options: ExecOptions = {}) {
      const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, signal: options.signal });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      child.stdout.pipe(stdout);
      child.stderr.pipe(stderr);
      if (options.stdin) options.stdin.pipe(child.stdin).on("error", () => {});
      else child.stdin.end();
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
        child.once("error", (err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") return;
          stdout.end();
          stderr.end();
          reject(new Error(`Command "${command}" is not installed on this server (not found in PATH)`));
        });
        child.once("close", (code, signal) => resolve({ code, signal }));
      });
      exit.catch(() => {});
      return { stdout, stderr, exit, kill: () => void child.kill("SIGTERM") };
    },
    openTcp(host: string, port: number): Promise<Duplex> {
      return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        socket.once("connect", () => resolve(socket));
        socket.once("error", reject);
      });
    },
    async readFile(file: string): Promise<Readable> {
      return (await fsp.open(file, "r")).createReadStream();
    },
    async writeFile(file: string, content: Readable): Promise<void> {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await pipeline(content, fs.createWriteStream(file));
    },
    async close() {},
    async resolveFolder(folder: string) {
      return path.resolve(folder);
    },
    checkDatabase() {},
    async canCompress() {
      return { ok: false, reason: "the test's own machine: nothing crosses a link", sameHost: true };
    },
    async compression() {
      return { on: "worker", reason: "the test's own machine: nothing crosses a link", fallback: false };
    },
  };
}
