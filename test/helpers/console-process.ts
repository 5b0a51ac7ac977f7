import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "bin/safehold.mjs");


/** The environment of a console or CLI run by a test: only what the test gives, plus the secret key from vitest's env. */
function consoleEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, SAFEHOLD_SECRET_KEY: process.env.SAFEHOLD_SECRET_KEY, NEXT_TELEMETRY_DISABLED: "1" };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) base[key] = value;
  return base as NodeJS.ProcessEnv;
}

export type ConsoleProcess = {
  url: string;
  child: ChildProcess;
  logs: () => string;
  /** Resolves when the output contains `text` (output arrives in chunks, so a line may come after "ready"). */
  waitForLog: (text: string, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<number | null>;
};

/** Runs `safehold start` (the command behind `npm start`) and waits until it says the console is ready. */
export async function startConsole(env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<ConsoleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "start"], { cwd: ROOT, env: consoleEnv({ HOST: "127.0.0.1", PORT: String(port), ...env }) });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`console not ready after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const match = /Console ready at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`console exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  return {
    url,
    child,
    logs: () => output,
    waitForLog: async (text, waitMs = 10_000) => {
      const deadline = Date.now() + waitMs;
      while (!output.includes(text)) {
        if (Date.now() > deadline) throw new Error(`"${text}" not in the console output:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}

/** `startConsole` on a test database, with a data dir of its own in the system's temp dir (`name` says whose). */
export function startTestConsole(database: { url: string }, name: string, env: Record<string, string | undefined> = {}): Promise<ConsoleProcess> {
  return startConsole({ DATABASE_URL: database.url, SAFEHOLD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `safehold-e2e-${name}-`)), ...env });
}

/** Runs a one-off CLI command; `stdin` is what it reads on standard input (passwords and keys come that way). */
export async function runCli(args: string[], env: Record<string, string | undefined>, stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: consoleEnv(env) });
  child.stdin.end(stdin);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

/** Runs `safehold worker` (the scale-out worker) until it says it is running. */
export async function startWorkerProcess(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<{ child: ChildProcess; logs: () => string }> {
  const child = spawn(process.execPath, [CLI, "worker"], { cwd: ROOT, env: consoleEnv(env) });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes("Worker running")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`worker did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, logs: () => output };
}

/** Runs `safehold web` (the web console alone, no worker) until it listens; its URL is on loopback. */
export async function startWebProcess(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<{ url: string; child: ChildProcess; logs: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "web"], { cwd: ROOT, env: consoleEnv({ HOST: "127.0.0.1", PORT: String(port), ...env }) });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes("Web console listening")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`web console did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    logs: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
