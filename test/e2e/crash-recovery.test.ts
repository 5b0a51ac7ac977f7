import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, startConsole, type ConsoleProcess } from "../helpers/console-process";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-crash-"));
fs.chmodSync(dataDir, 0o755);
let running: ConsoleProcess | undefined;

function postmasterPid(): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await running?.stop();
  const pid = postmasterPid();
  if (alive(pid)) process.kill(pid!, "SIGINT");
});

describe("embedded PostgreSQL (no DATABASE_URL)", () => {
  it("starts, survives a SIGKILL of the console, and the CLI uses the same database", async () => {
    const env = { DATABASE_URL: undefined, SAFEHOLD_DATA_DIR: dataDir };
    const first = await startConsole(env);
    expect(first.logs()).toContain(`Embedded PostgreSQL in ${dataDir}/postgres`);
    expect(first.logs()).toContain("First run: open");
    expect((await fetch(`${first.url}/`, { redirect: "manual" })).headers.get("location")).toMatch(/\/setup$/);

    // The CLI joins the running console's database.
    expect((await runCli(["user", "create", "--email", "owner@crash.test", "--password", "crash-password-1"], env)).code).toBe(0);

    const stale = postmasterPid();
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect(alive(stale)).toBe(true);

    running = await startConsole(env);
    expect(running.logs()).toContain(`Stopping a stale embedded PostgreSQL (pid ${stale})`);
    expect(alive(stale)).toBe(false);
    // The user created before the crash is still there: the page now asks to sign in, not to set up.
    expect((await fetch(`${running.url}/`, { redirect: "manual" })).headers.get("location")).toMatch(/\/signin$/);
    expect((await fetch(`${running.url}/signin`)).status).toBe(200);

    const pid = postmasterPid();
    expect(await running.stop()).toBe(0);
    running = undefined;
    expect(alive(pid)).toBe(false);
  });
});
