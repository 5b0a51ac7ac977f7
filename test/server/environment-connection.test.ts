import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { ServerConnection } from "@/server/plugins/contracts";
import { createEnvironment, testEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { checkPgDump } from "@safehold/postgres-tools";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { freePort } from "../helpers/ports";

let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let operator: Principal;
let ids: { projectId: string; serverId: string };
const plugins = builtinPluginHost();


beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  const { principals } = await createOrgWithMembers(t.db, "Conn Org");
  operator = principals.operator;
  const project = await createProject(t.db, principals.owner, { name: "Client", description: "" });
  const server = await createServer(t.db, plugins, principals.owner, { name: "This host", kind: "local", config: {} });
  ids = { projectId: project.id, serverId: server.id };
});

afterAll(async () => {
  await t.drop();
  await client.drop();
});

const draft = (overrides: Record<string, unknown> = {}) => ({
  serverId: ids.serverId,
  source: "postgres",
  sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, ...overrides },
});

describe("postgres source: test connection through the server", () => {
  it("reaches a real database and finds pg_dump", async () => {
    const result = await testEnvironment(t.db, plugins, operator, draft());
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(new RegExp(`^Connected to PostgreSQL 15\\.\\d+, database "${client.database}" \\(.+\\); pg_dump 1[5-9]\\.\\d+ is available$`));
  });

  it("says clearly what is wrong", async () => {
    expect(await testEnvironment(t.db, plugins, operator, draft({ password: "wrong" }))).toEqual({
      ok: false,
      message: `Authentication failed for user "${client.user}": wrong password`,
    });
    expect(await testEnvironment(t.db, plugins, operator, draft({ database: "no_such_db" }))).toEqual({
      ok: false,
      message: `Database "no_such_db" does not exist on ${client.host}:${client.port}`,
    });
    const port = await freePort();
    expect(await testEnvironment(t.db, plugins, operator, draft({ port }))).toEqual({ ok: false, message: `Nothing is listening on ${client.host}:${port} (connection refused)` });
    await expect(testEnvironment(t.db, plugins, operator, draft({ port: "not a port" }))).rejects.toMatchObject({
      fields: { "sourceConfig.port": "Port must be a whole number" },
    });
  });

  it("tests a saved environment with its stored password, and records each test in the activity log", async () => {
    const env = await createEnvironment(t.db, plugins, operator, { ...draft(), projectId: ids.projectId, name: "production", stage: "production" });
    expect(env.sourceConfig.password).toBe("********");
    expect((await testEnvironment(t.db, plugins, operator, { id: env.id })).ok).toBe(true);
    // An edit that leaves the masked password alone still uses the stored one.
    expect((await testEnvironment(t.db, plugins, operator, { id: env.id, sourceConfig: { ...env.sourceConfig } })).ok).toBe(true);
    const rows = await t.sql`select action, outcome, message from activity_log where action = 'environment.test' order by id`;
    expect(rows.map((r) => r.outcome)).toEqual(["success", "failure", "failure", "failure", "success", "success"]);
    expect(rows[1]!.message).toContain("wrong password");
  });
});

describe("pg_dump version check", () => {
  const fakeServer = (output: string | Error): ServerConnection => ({
    exec: () => {
      const exit = output instanceof Error ? Promise.reject(output) : Promise.resolve({ code: 0, signal: null });
      exit.catch(() => {});
      return { stdout: Readable.from(output instanceof Error ? [] : [output]), stderr: Readable.from([]), exit, kill: () => {} };
    },
    openTcp: () => Promise.reject(new Error("unused")),
    readFile: () => Promise.reject(new Error("unused")),
    writeFile: () => Promise.reject(new Error("unused")),
    close: async () => {},
  });

  it("accepts a pg_dump at least as new as the server", async () => {
    expect(await checkPgDump(fakeServer("pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)\n"), "15.8")).toEqual({ ok: true, version: "16.4" });
  });

  it("names the versions and what to install when pg_dump is older or missing", async () => {
    expect(await checkPgDump(fakeServer("pg_dump (PostgreSQL) 13.2\n"), "16.1")).toEqual({
      ok: false,
      message: "pg_dump 13.2 on the server is older than PostgreSQL 16.1 and cannot dump it: install the PostgreSQL 16 client tools on the server (Debian/Ubuntu: apt install postgresql-client-16)",
    });
    expect(await checkPgDump(fakeServer(new Error('Command "pg_dump" is not installed')), "15.3")).toEqual({
      ok: false,
      message: 'Command "pg_dump" is not installed: install the PostgreSQL 15 client tools on the server (Debian/Ubuntu: apt install postgresql-client-15), or set the path of pg_dump in the server\'s settings',
    });
  });
});
