import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfBackupKey } from "@/server/self-backup/console-key";
import { runCli, startConsole, type ConsoleProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";

type Json = Record<string, unknown>;

let app: ConsoleProcess | undefined;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let token: string;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-recover-"));
const dataDir = path.join(root, "data");
const backupsDir = path.join(root, "client-backups");
const selfBackupsDir = path.join(root, "console-backups");
const RESTORED = `${path.basename(root).replace(/\W/g, "_").toLowerCase()}_restored`;

async function call<T = Json>(method: string, route: string, body?: unknown, status = 200): Promise<T> {
  const res = await fetch(`${app!.url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, `${method} ${route}: ${text}`).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

async function poll<T extends Json>(route: string, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await call<T>("GET", route);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${route} not done: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function clientRows(database: string): Promise<Array<{ id: number; body: string }>> {
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database, max: 1, onnotice: () => {} });
  try {
    return await sql<Array<{ id: number; body: string }>>`select id, body from items order by id`;
  } finally {
    await sql.end();
  }
}

async function changeClient(statement: string) {
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  await sql.unsafe(statement);
  await sql.end();
}

beforeAll(async () => {
  client = await createClientDatabase({ createdb: true });
  await changeClient("create table items (id int primary key, body text); insert into items select g, md5(g::text) from generate_series(1, 5000) g");
});

afterAll(async () => {
  await app?.stop();
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${RESTORED}" with (force)`);
  await admin.end();
  await client?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("the disaster-recovery runbook (README): wipe the data dir, recover, restore a client backup taken before the wipe", () => {
  const env = { SAFEHOLD_DATA_DIR: dataDir };
  let serverId: string;
  let projectId: string;
  let beforeWipe: string;
  let afterSelfBackup: string;
  let clientLocation: string;
  let snapshot: Array<{ id: number; body: string }>;

  it("runs a console with a data dir, backs up a client and the console itself", async () => {
    app = await startConsole(env);
    expect((await runCli(["user", "create", "--email", "owner@recover.test", "--org", "Recover Agency"], env, "owner-password-1\n")).code).toBe(0);
    token = (await runCli(["token", "create", "--email", "owner@recover.test", "--name", "runbook"], env)).stdout.trim().split("\n").pop()!;

    serverId = (await call<{ id: string }>("POST", "/servers", { name: "This host", kind: "local", config: {} })).id;
    clientLocation = (await call<{ id: string }>("POST", "/storage-locations", { name: "Client backups", provider: "local", config: { path: backupsDir }, isDefault: true })).id;
    const consoleLocation = (await call<{ id: string }>("POST", "/storage-locations", { name: "Console backups", provider: "local", config: { path: selfBackupsDir } })).id;
    projectId = (await call<{ id: string }>("POST", "/projects", { name: "Client" })).id;
    const environment = await call<{ id: string }>("POST", "/environments", {
      projectId,
      serverId,
      name: "production",
      stage: "production",
      source: "postgres",
      sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database },
    });

    beforeWipe = (await call<{ id: string }>("POST", `/environments/${environment.id}/backups`, { name: "before the wipe" }, 202)).id;
    expect(await poll<{ status: string; error: string | null }>(`/backups/${beforeWipe}`, (b) => b.status !== "pending" && b.status !== "in_progress" && b.status !== "uploading")).toMatchObject({ status: "completed", verified: true });
    snapshot = await clientRows(client.database);

    await call("PUT", "/self-backup", { enabled: true, schedule: "0 3 * * *", storageLocationId: consoleLocation });
    await call("POST", "/self-backup/runs", {}, 202);
    const self = await poll<{ runs: Array<{ status: string; error: string | null; key: string | null }> }>("/self-backup", (v) => v.runs[0]?.status !== "running");
    expect(self.runs[0], self.runs[0]?.error ?? "").toMatchObject({ status: "completed", key: expect.stringMatching(/^safehold-console\/[^/]+\/console\.sql\.gz\.age$/) });
    // Encrypted: the stored dump is an age file, not SQL nor gzip.
    const stored = path.join(selfBackupsDir, self.runs[0]!.key!);
    expect(fs.readFileSync(stored).subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    // The age CLI decrypts it with the identity derived from the secret key: a standard, inspectable file.
    const identityFile = path.join(root, "console-identity.txt");
    fs.writeFileSync(identityFile, `${(await selfBackupKey(createHash("sha256").update(process.env.SAFEHOLD_SECRET_KEY!).digest())).identity}\n`, { mode: 0o600 });
    const sql = gunzipSync(execFileSync("age", ["-d", "-i", identityFile, stored])).toString("utf8");
    expect(sql).toContain("PostgreSQL database dump");
    expect(sql).toContain("Recover Agency");

    // A backup taken after the self-backup: the recovered catalog lacks it until a catalog import.
    await changeClient("delete from items where id > 100");
    afterSelfBackup = (await call<{ id: string }>("POST", `/environments/${environment.id}/backups`, { name: "after the self-backup" }, 202)).id;
    expect(await poll<{ status: string }>(`/backups/${afterSelfBackup}`, (b) => b.status === "completed" || b.status === "failed")).toMatchObject({ status: "completed" });
    await app.stop();
    app = undefined;
  }, 240_000);

  it("recovers a wiped data dir from the self-backup with the secret key and the location's settings", async () => {
    // The runbook: keep the secret key (here SAFEHOLD_SECRET_KEY) and the self-backup location's settings.
    fs.rmSync(dataDir, { recursive: true, force: true });
    const settings = path.join(root, "console-backups.json");
    fs.writeFileSync(settings, JSON.stringify({ path: selfBackupsDir }));

    // The kept copy of the key, as data/secret.key holds it (here the key SAFEHOLD_SECRET_KEY stands for).
    const keyFile = path.join(root, "secret.key");
    fs.writeFileSync(keyFile, `${createHash("sha256").update(process.env.SAFEHOLD_SECRET_KEY!).digest("base64")}\n`);
    const recovered = await runCli(["recover", "--provider", "local", "--config-file", settings, "--secret-key-file", keyFile], env);
    expect(recovered.code, recovered.stderr + recovered.stdout).toBe(0);
    expect(recovered.stdout).toContain("1 organization(s) (Recover Agency), 1 completed backup(s)");
    expect(recovered.stdout).toContain("safehold catalog import --location");

    const again = await runCli(["recover", "--provider", "local", "--config-file", settings], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe("Error: The database already holds a Safehold console (1 organization): recover refuses to overwrite it (--force replaces it)");

    const imported = await runCli(["catalog", "import", "--location", clientLocation], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("1 added, 1 already known, 0 foreign");
  }, 240_000);

  it("starts the recovered console: the client backup from before the wipe is listed and restores into a new environment with identical data", async () => {
    app = await startConsole(env);
    const list = await call<{ items: Array<{ id: string; name: string; origin: string }> }>("GET", "/backups");
    expect(list.items.map((b) => [b.name, b.origin])).toEqual([
      ["after the self-backup", "imported"],
      ["before the wipe", "taken"],
    ]);
    const restore = await call<{ id: string }>(
      "POST",
      `/backups/${beforeWipe}/restores`,
      { target: "new_environment", newEnvironment: { projectId, serverId, name: "recovered copy", stage: "staging", sourceConfig: { database: RESTORED } }, confirm: "RESTORE" },
      202,
    );
    const done = await poll<{ status: string; error: string | null }>(`/restores/${restore.id}`, (r) => r.status === "completed" || r.status === "failed", 180_000);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(await clientRows(RESTORED)).toEqual(snapshot);
    expect(snapshot).toHaveLength(5000);
  }, 240_000);
});
