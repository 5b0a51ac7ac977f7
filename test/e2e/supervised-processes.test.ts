import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

type Child = { pid: number; role: string };

/** The processes `safehold start` runs, by the command each was started with. */
function childrenOf(pid: number): Child[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  } catch {
    return [];
  }
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pidText, ...args] = line.trim().split(/\s+/);
      return { pid: Number(pidText), role: args.at(-1) ?? "" };
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let t: TestDatabase;
const started: ConsoleProcess[] = [];

async function start(): Promise<ConsoleProcess> {
  const app = await startConsole({ DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-supervised-")) });
  started.push(app);
  return app;
}

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  for (const app of started) {
    for (const child of childrenOf(app.child.pid!)) process.kill(child.pid, "SIGKILL");
    app.child.kill("SIGKILL");
  }
  await t?.drop();
});

describe("safehold start supervises a web process and a worker process", () => {
  let app: ConsoleProcess;

  beforeAll(async () => {
    app = await start();
  });

  it("runs the web console and the worker as two child processes", () => {
    expect(childrenOf(app.child.pid!).map((c) => c.role).sort()).toEqual(["web", "worker"]);
  });

  it("restarts a child that dies, and the console answers again", async () => {
    for (const role of ["worker", "web"]) {
      const before = childrenOf(app.child.pid!).find((c) => c.role === role)!;
      process.kill(before.pid, "SIGKILL");
      await app.waitForLog(`The ${role} process stopped unexpectedly (SIGKILL)`);
      await app.waitForLog(`The ${role} process is running again`, 30_000);
      const after = childrenOf(app.child.pid!).find((c) => c.role === role);
      expect(after?.pid).not.toBe(before.pid);
    }
    expect((await fetch(`${app.url}/api/v1/projects`)).status).toBe(401);
  });

  it("stops both children and exits cleanly on SIGTERM", async () => {
    const children = childrenOf(app.child.pid!);
    expect(await app.stop()).toBe(0);
    expect(children.filter((c) => alive(c.pid))).toEqual([]);
  });
});

describe("when the supervisor itself is killed", () => {
  it("its children notice and stop instead of running on unsupervised", async () => {
    const app = await start();
    const children = childrenOf(app.child.pid!);
    expect(children).toHaveLength(2);
    app.child.kill("SIGKILL");
    await until(() => children.every((c) => !alive(c.pid)), 30_000, "the children to stop");
  });
});
