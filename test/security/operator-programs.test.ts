import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";

/**
 * Item 1 of the trust-boundary review: an operator could run any program on any managed server (the console's
 * host included) through an environment's `pgDumpPath` / `psqlPath`, or smuggle psql meta-commands into a "dump"
 * through a database name holding line breaks. Operators configure clients; admins configure machines.
 */
let c: ConsoleWithMembers;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-programs-"));
const marker = path.join(work, "pwned");
let projectId: string;
let serverId: string;

/** What `/bin/echo` as pg_dump with such a database name would have stored as the "dump". */
const INJECTED_NAME = `client\n\\! touch ${marker}\n-- PostgreSQL database dump complete`;

beforeAll(async () => {
  client = await createClientDatabase();
  c = await startConsoleWithMembers();
  const { admin, operator } = c.members;
  serverId = ((await c.rest(admin, "POST", "/servers", { name: "This host", kind: "local", config: {} })).body as { id: string }).id;
  const storage = await c.rest(admin, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(work, "storage-")) }, isDefault: true });
  expect(storage.status).toBe(200);
  projectId = ((await c.rest(operator, "POST", "/projects", { name: "Client" })).body as { id: string }).id;
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
});

function sourceConfig(extra: Record<string, unknown> = {}) {
  return { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, ...extra };
}

async function waitForBackup(id: string) {
  for (let i = 0; i < 300; i++) {
    const { body } = await c.rest(c.members.operator, "GET", `/backups/${id}`);
    const backup = body as { status: string; error: string | null };
    if (["completed", "failed"].includes(backup.status)) return backup;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("backup did not finish");
}

describe("an operator cannot choose what runs on a server", () => {
  it("(the payload is live) psql runs a \\! line fed to it as part of a dump", () => {
    const script = path.join(work, "echoed-dump.sql");
    fs.writeFileSync(script, `--format=plain --no-owner --dbname ${INJECTED_NAME}\n`);
    const url = new URL(adminDatabaseUrl());
    execFileSync("psql", ["--no-psqlrc", "-q", "-h", url.hostname, "-p", url.port, "-U", decodeURIComponent(url.username) || "postgres", "-d", url.pathname.slice(1) || "postgres", "-f", script], {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
      stdio: "ignore",
    });
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
  });

  it("(the setting is powerful) the program an admin maps to pg_dump is what runs on the server", async () => {
    const wrapper = path.join(work, "pg_dump-that-leaves-a-mark");
    fs.writeFileSync(wrapper, `#!/bin/sh\ntouch ${marker}-admin\nexec pg_dump "$@"\n`, { mode: 0o755 });
    const { admin, operator } = c.members;
    const host = await c.rest(admin, "POST", "/servers", { name: "This host, own pg_dump", kind: "local", config: {}, programs: { pg_dump: wrapper } });
    expect(host.status).toBe(200);
    const environment = await c.rest(operator, "POST", "/environments", { projectId, name: "admin-program", stage: "production", serverId: (host.body as { id: string }).id, source: "postgres", sourceConfig: sourceConfig() });
    const backup = await c.rest(operator, "POST", `/environments/${(environment.body as { id: string }).id}/backups`, {});
    expect(await waitForBackup((backup.body as { id: string }).id)).toMatchObject({ status: "completed" });
    expect(fs.existsSync(`${marker}-admin`)).toBe(true);
  });

  it("refuses program paths in an environment's settings, on create and on edit", async () => {
    const { operator } = c.members;
    for (const setting of ["pgDumpPath", "psqlPath"]) {
      const created = await c.rest(operator, "POST", "/environments", { projectId, name: `with-${setting}`, stage: "production", serverId, source: "postgres", sourceConfig: sourceConfig({ [setting]: "/bin/echo" }) });
      expect(created).toMatchObject({ status: 422, body: { error: { code: "unprocessable_content", message: `Invalid configuration: ${setting} is not a setting of this plugin` } } });
    }
    const plain = await c.rest(operator, "POST", "/environments", { projectId, name: "plain", stage: "production", serverId, source: "postgres", sourceConfig: sourceConfig() });
    expect(plain.status).toBe(200);
    const edited = await c.trpc(operator, "environments.update", { id: (plain.body as { id: string }).id, sourceConfig: sourceConfig({ pgDumpPath: "/bin/echo" }) });
    expect(edited.status).toBe(422);
    expect(edited.body).toMatchObject({ message: "Invalid configuration: pgDumpPath is not a setting of this plugin" });
  });

  it("refuses line breaks and other control characters in any one-line setting", async () => {
    const { operator } = c.members;
    const created = await c.rest(operator, "POST", "/environments", { projectId, name: "injected", stage: "production", serverId, source: "postgres", sourceConfig: sourceConfig({ database: INJECTED_NAME }) });
    expect(created).toMatchObject({
      status: 422,
      body: { error: { message: "Invalid configuration: Database must be one line, without control characters (line breaks, tabs, ...)", fields: { "sourceConfig.database": expect.stringMatching(/^Database must be one line/) } } },
    });
    for (const [field, value] of [["user", "odoo\r\\! id"], ["host", "127.0.0.1\u2028x"], ["database", "db\u0000"]] as const) {
      const answer = await c.rest(operator, "POST", "/environments", { projectId, name: `injected-${field}`, stage: "production", serverId, source: "postgres", sourceConfig: sourceConfig({ [field]: value }) });
      expect(answer.status, field).toBe(422);
    }
    const listed = await c.rest(operator, "GET", `/environments?projectId=${projectId}`);
    expect((listed.body as { items: Array<{ name: string }> }).items.map((e) => e.name).sort()).toEqual(["admin-program", "plain"]);
  });

  it("leaves the choice of programs, folders and databases to admins", async () => {
    const { operator, admin } = c.members;
    const asOperator = await c.trpc(operator, "servers.update", { id: serverId, programs: { pg_dump: "/bin/echo" } });
    expect(asOperator).toMatchObject({ status: 403, body: { message: "Your role (operator) cannot do this: it needs admin or higher" } });
    const created = await c.rest(operator, "POST", "/servers", { name: "Mine", kind: "local", config: {}, programs: { psql: "/bin/sh" } });
    expect(created.status).toBe(403);
    const asAdmin = await c.trpc(admin, "servers.get", { id: serverId }, "query");
    expect(asAdmin.body).toMatchObject({ programs: {}, allowedRoots: ["/var/lib/odoo", "/opt/odoo"], databasePattern: null });
    expect(fs.existsSync(marker)).toBe(false);
  });
});
