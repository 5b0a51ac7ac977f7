import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "@/server/db/embedded";
import { runCli, startConsole, type ConsoleProcess } from "../helpers/console-process";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-crash-"));
const started: ConsoleProcess[] = [];

function postmasterPid(): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  return pid !== undefined && isAlive(pid);
}

afterAll(async () => {
  for (const app of started) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill("SIGKILL");
  const pid = postmasterPid();
  if (alive(pid)) process.kill(pid!, "SIGINT");
});

describe("embedded PostgreSQL (no DATABASE_URL)", () => {
  it("starts, survives a SIGKILL of the console, and the CLI uses the same database", async () => {
    const env = { DATABASE_URL: undefined, SAFEHOLD_DATA_DIR: dataDir };
    const first = await startConsole(env);
    started.push(first);
    expect(first.logs()).toContain(`Embedded PostgreSQL in ${dataDir}/postgres`);
    await first.waitForLog("First run: open");
    expect((await fetch(`${first.url}/`, { redirect: "manual" })).headers.get("location")).toMatch(/\/setup$/);

    // The CLI joins the running console's database.
    expect((await runCli(["user", "create", "--email", "owner@crash.test"], env, "crash-password-1\n")).code).toBe(0);

    const stale = postmasterPid();
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect(alive(stale)).toBe(true);

    const running = await startConsole(env);
    started.push(running);
    await running.waitForLog(`Stopping a stale embedded PostgreSQL (pid ${stale})`);
    expect(alive(stale)).toBe(false);
    // The user created before the crash is still there: the page now asks to sign in, not to set up.
    expect((await fetch(`${running.url}/`, { redirect: "manual" })).headers.get("location")).toMatch(/\/signin$/);
    expect((await fetch(`${running.url}/signin`)).status).toBe(200);

    const pid = postmasterPid();
    expect(await running.stop()).toBe(0);
    expect(alive(pid)).toBe(false);
  });
});
