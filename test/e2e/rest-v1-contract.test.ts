import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";
import { v1DocumentedClient, type Answer, type DocumentedPolicy, type V1DocumentedClient } from "../helpers/v1-documented-client";

/**
 * PRODUCT.md: "v1 never breaks a client". A script written only from the v1 table (test/helpers/v1-documented-client.ts)
 * drives a console started as `npm start` starts it through the whole documented life of a backup. A field added to a
 * request body since must be optional with a default, or this test fails.
 */
let c: ConsoleWithMembers;
let api: V1DocumentedClient;
let source: Awaited<ReturnType<typeof createClientDatabase>>;
let storageDir: string;
const ids = {} as Record<"project" | "server" | "storage" | "environment" | "backup" | "restore", string>;

function sourceUrl(): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: source.user, password: source.password, pathname: `/${source.database}` });
  return url.toString();
}

async function sourceRows(): Promise<string[]> {
  const sql = postgres(sourceUrl(), { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ name: string }[]>`select name from invoices order by id`).map((r) => r.name);
  } finally {
    await sql.end();
  }
}

async function until<T>(what: string, read: () => Promise<Answer<T>>, done: (body: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await read();
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    if (done(answer.body)) return answer.body;
    if (Date.now() > deadline) throw new Error(`${what} not done after ${timeoutMs} ms: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  c = await startConsoleWithMembers();
  api = v1DocumentedClient(c.app.url, c.members.owner.token);
  source = await createClientDatabase({ createdb: true });
  const sql = postgres(sourceUrl(), { max: 1, onnotice: () => {} });
  await sql`create table invoices (id serial primary key, name text not null)`;
  await sql`insert into invoices (name) values ('INV-1'), ('INV-2')`;
  await sql.end();
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-v1-contract-"));
});

afterAll(async () => {
  await c?.stop();
  await source?.drop();
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
});

describe("a client written only from PRODUCT.md's v1 table", () => {
  it("lists the installed plugins", async () => {
    const plugins = await api.listPlugins();
    expect(plugins.status).toBe(200);
    expect(plugins.body).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ id: "source-postgres", status: expect.any(String) })]), nextCursor: null });
  });

  it("creates a project, a local server, a local storage location and a postgres environment", async () => {
    const project = await api.createProject({ name: "Contract Client" });
    expect(project).toMatchObject({ status: 200, body: { id: expect.any(String), name: "Contract Client" } });
    ids.project = (project.body as { id: string }).id;
    expect((await api.listProjects()).body).toMatchObject({ items: [{ id: ids.project }], nextCursor: null });

    const server = await api.createServer({ name: "This host", kind: "local", config: {} });
    expect(server).toMatchObject({ status: 200, body: { id: expect.any(String), kind: "local" } });
    ids.server = (server.body as { id: string }).id;
    expect((await api.listServers()).body).toMatchObject({ items: [{ id: ids.server }] });

    const storage = await api.createStorageLocation({ name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true });
    expect(storage).toMatchObject({ status: 200, body: { id: expect.any(String), provider: "local", isDefault: true } });
    ids.storage = (storage.body as { id: string }).id;
    expect((await api.listStorageLocations()).body).toMatchObject({ items: [{ id: ids.storage }] });
    expect(await api.testStorageLocation(ids.storage)).toMatchObject({ status: 200, body: { ok: true, message: expect.any(String) } });

    const environment = await api.createEnvironment({
      projectId: ids.project,
      name: "production",
      stage: "production",
      serverId: ids.server,
      source: "postgres",
      sourceConfig: { host: source.host, port: source.port, user: source.user, password: source.password, database: source.database },
    });
    expect(environment).toMatchObject({ status: 200, body: { id: expect.any(String), name: "production", sourceConfig: { password: "********" } } });
    ids.environment = (environment.body as { id: string }).id;
    expect(await api.getEnvironment(ids.environment)).toMatchObject({ status: 200, body: { id: ids.environment } });
    expect((await api.listEnvironments(ids.project)).body).toMatchObject({ items: [{ id: ids.environment }], nextCursor: null });
  });

  it("replaces the default backup policy with exactly the documented fields", async () => {
    const policy: DocumentedPolicy = {
      enabled: true,
      schedule: "30 3 * * 0",
      timezone: "Europe/Paris",
      storageLocationId: ids.storage,
      includeFilestore: false,
      retention: { daily: 5, weekly: 3, monthly: 6, yearly: 1 },
      notifyOnSuccess: true,
      notifyOnFailure: true,
    };
    const put = await api.putBackupPolicy(policy);
    expect(put, JSON.stringify(put.body)).toMatchObject({ status: 200, body: policy });
    expect(await api.getBackupPolicy()).toMatchObject({ status: 200, body: policy });
  });

  it("overrides an environment's policy, reads the effective policy, and reverts", async () => {
    const override = { schedule: "0 4 * * *", retention: { daily: 9, weekly: 0, monthly: 0, yearly: 0 } };
    expect(await api.putEnvironmentPolicy(ids.environment, override)).toMatchObject({ status: 200, body: override });
    expect(await api.getEnvironmentPolicy(ids.environment)).toEqual({ status: 200, body: override });
    expect(await api.getEffectivePolicy(ids.environment)).toMatchObject({
      status: 200,
      body: { policy: { schedule: "0 4 * * *", timezone: "Europe/Paris", retention: override.retention }, source: { schedule: "environment", retention: "environment", timezone: "organization", enabled: "organization" } },
    });

    expect((await api.deleteEnvironmentPolicy(ids.environment)).status).toBe(204);
    expect(await api.getEnvironmentPolicy(ids.environment)).toEqual({ status: 200, body: {} });
    expect(await api.getEffectivePolicy(ids.environment)).toMatchObject({ status: 200, body: { policy: { schedule: "30 3 * * 0" }, source: { schedule: "organization", retention: "organization" } } });
  });

  it("triggers a backup, polls it to completed, lists it and gets a download link", async () => {
    const queued = await api.createBackup(ids.environment, { name: "Before the contract", notes: "v1 client" });
    expect(queued, JSON.stringify(queued.body)).toMatchObject({ status: 202, body: { id: expect.any(String), status: "pending" } });
    ids.backup = (queued.body as { id: string }).id;

    const done = await until("backup", () => api.getBackup(ids.backup), (b) => ["completed", "failed"].includes((b as { status: string }).status));
    expect(done).toMatchObject({ status: "completed", verified: true, error: null, artifacts: expect.arrayContaining([expect.objectContaining({ kind: "database", key: expect.any(String), size: expect.any(Number), sha256: expect.any(String) })]) });
    expect(done).toHaveProperty("progress");

    const listed = await api.listBackups({ environmentId: ids.environment, status: "completed", limit: "10" });
    expect(listed).toMatchObject({ status: 200, body: { items: [{ id: ids.backup }], nextCursor: null } });
    expect((await api.listBackups({ projectId: ids.project, q: "production" })).body).toMatchObject({ items: [{ id: ids.backup }] });

    const link = await api.createDownloadLink(ids.backup, { artifact: "database", expiresIn: 900 });
    expect(link).toMatchObject({ status: 200, body: { url: expect.any(String), expiresAt: expect.any(String) } });
    // The link is signed for the console's public address; fetch it on the console this test started.
    const url = new URL((link.body as { url: string }).url);
    const file = await fetch(`${c.app.url}${url.pathname}${url.search}`);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("restores the backup over the original and brings the data back", async () => {
    const sql = postgres(sourceUrl(), { max: 1, onnotice: () => {} });
    await sql`insert into invoices (name) values ('INV-3 after the backup')`;
    await sql.end();

    const queued = await api.createRestore(ids.backup, { target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
    expect(queued, JSON.stringify(queued.body)).toMatchObject({ status: 202, body: { id: expect.any(String), status: "pending" } });
    ids.restore = (queued.body as { id: string }).id;
    const done = await until("restore", () => api.getRestore(ids.restore), (r) => ["completed", "failed"].includes((r as { status: string }).status));
    expect(done).toMatchObject({ status: "completed", error: null, safetyBackupId: null, targetEnvironmentId: ids.environment });
    expect(done).toHaveProperty("progress");
    expect(await sourceRows()).toEqual(["INV-1", "INV-2"]);
  });

  it("reads the dashboard", async () => {
    const dashboard = await api.getDashboard();
    expect(dashboard).toMatchObject({ status: 200, body: { compliance: { percent: expect.any(Number), compliant: expect.any(Number), enabled: expect.any(Number) } } });
  });

  it("deletes the backup and its files", async () => {
    expect((await api.deleteBackup(ids.backup)).status).toBe(204);
    expect((await api.getBackup(ids.backup)).status).toBe(404);
    expect((await api.listBackups({ environmentId: ids.environment })).body).toMatchObject({ items: [] });
  });
});
