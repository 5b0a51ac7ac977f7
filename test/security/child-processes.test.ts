import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { adminDatabaseUrl, createClientDatabase, runAsAdmin } from "../helpers/database";
import { fakePostgres, type FakeListener } from "../helpers/fake-listeners";

/**
 * Item 5 of the trust-boundary review: `pg_dump --dbname <name>` reads a name holding `=` as a connection string
 * (so a database name could send the password elsewhere), and commands run on the console's own host inherited
 * its whole environment (DATABASE_URL, SAFEHOLD_SECRET_KEY).
 */
let c: ConsoleWithMembers;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let trap: FakeListener;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-children-"));
let projectId: string;
let trickyName: string;


function id(answer: { body: unknown }): string {
  return (answer.body as { id: string }).id;
}

async function backupOf(serverId: string, database: string) {
  const environment = await c.rest(c.members.operator, "POST", "/environments", {
    projectId,
    name: `env-${Math.random().toString(36).slice(2, 8)}`,
    stage: "production",
    serverId,
    source: "postgres",
    sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database },
  });
  expect(environment.status, JSON.stringify(environment.body)).toBe(200);
  const created = await c.rest(c.members.operator, "POST", `/environments/${id(environment)}/backups`, {});
  for (let i = 0; i < 300; i++) {
    const { body } = await c.rest(c.members.operator, "GET", `/backups/${id(created)}`);
    if (["completed", "failed"].includes((body as { status: string }).status)) return body as { status: string; error: string | null };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("backup did not finish");
}

beforeAll(async () => {
  trap = await fakePostgres();
  client = await createClientDatabase();
  trickyName = `host=127.0.0.1 port=${trap.port} dbname=elsewhere`;
  await runAsAdmin(`create database "${trickyName}" owner ${client.user}`);
  c = await startConsoleWithMembers();
  const { admin, operator } = c.members;
  expect((await c.rest(admin, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(work, "storage-")) }, isDefault: true })).status).toBe(200);
  projectId = id(await c.rest(operator, "POST", "/projects", { name: "Client" }));
});

afterAll(async () => {
  await c?.stop();
  await runAsAdmin(`drop database if exists "${trickyName}" with (force)`).catch(() => {});
  await client?.drop();
  await trap?.stop();
});

describe("what commands on the servers are given", () => {
  it("(the trap works) pg_dump --dbname takes a name with '=' for a connection string and sends the password there", async () => {
    const url = new URL(adminDatabaseUrl());
    // Not execFileSync: the trap answers from this process's event loop.
    const run = promisify(execFile)("pg_dump", ["--no-password", "--host", url.hostname, "--port", url.port, "--username", client.user, "--dbname", trickyName], {
      env: { ...process.env, PGPASSWORD: client.password, PGCONNECT_TIMEOUT: "5" },
    });
    await expect(run).rejects.toThrow(/password authentication failed/);
    expect(trap.received).toContain(client.password);
    trap.received.length = 0;
  });

  it("the database reaches pg_dump as a name, never as a connection string", async () => {
    const connectionsBefore = trap.connections;
    const serverId = id(await c.rest(c.members.admin, "POST", "/servers", { name: "This host", kind: "local", config: {} }));
    const backup = await backupOf(serverId, trickyName);
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed" });
    expect(trap.received).toEqual([]);
    expect(trap.connections).toBe(connectionsBefore);
  });

  it("commands on the console's own host do not inherit its database URL or secret key", async () => {
    // (weakened) the console process itself holds both: inheriting its environment would hand them over.
    const consoleEnvironment = fs.readFileSync(`/proc/${c.app.child.pid}/environ`, "utf8").split("\0");
    expect(consoleEnvironment.some((v) => v.startsWith("DATABASE_URL="))).toBe(true);
    expect(consoleEnvironment.some((v) => v.startsWith("SAFEHOLD_SECRET_KEY="))).toBe(true);

    const seen = path.join(work, "pg_dump-environment");
    const wrapper = path.join(work, "pg_dump-showing-its-environment");
    fs.writeFileSync(wrapper, `#!/bin/sh\nenv > ${seen}\nexec pg_dump "$@"\n`, { mode: 0o755 });
    const serverId = id(await c.rest(c.members.admin, "POST", "/servers", { name: "This host, pg_dump shown", kind: "local", config: {}, programs: { pg_dump: wrapper } }));
    expect(await backupOf(serverId, client.database)).toMatchObject({ status: "completed" });
    const names = fs
      .readFileSync(seen, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("=")[0]!);
    expect(names).toContain("PATH");
    expect(names).toContain("PGPASSWORD");
    expect(names.filter((n) => n === "DATABASE_URL" || n.startsWith("SAFEHOLD_") || n === "NEXT_TELEMETRY_DISABLED")).toEqual([]);
  });
});
