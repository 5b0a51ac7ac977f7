import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startConsoleWithMembers } from "./console-members";
import type { ConsoleProcess } from "./console-process";
import { adminDatabaseUrl, createClientDatabase, type TestDatabase } from "./database";

export type ClientDatabase = Awaited<ReturnType<typeof createClientDatabase>>;
type Api = (method: string, apiPath: string, body?: unknown) => Promise<{ status: number; body: { id: string; status: string } & Record<string, unknown> }>;
type Artifact = { kind: string; key: string; size: number; sha256: string };
export type ApiBackup = { id: string; status: string; verified: boolean; error: string | null; artifacts: Artifact[] };
export type ApiRestore = { id: string; status: string; error: string | null; swappedAt: string | null; log: Array<{ message: string }> };

export type SecurityConsole = {
  app: ConsoleProcess;
  api: Api;
  /** The folder of the organization's default (local) storage location. */
  storageDir: string;
  project: { id: string };
  server: { id: string };
  stop: () => Promise<void>;
};

/**
 * A console started as `npm start` starts it (see `startConsoleWithMembers`), acting as its owner, with a project,
 * this host as a `local` server and a `local` storage location (the default): what an attacker would face.
 */
export async function startSecurityConsole(t: TestDatabase, env: Record<string, string> = {}): Promise<SecurityConsole> {
  const c = await startConsoleWithMembers(env, t);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-security-storage-"));
  const api: Api = (method, apiPath, body) => c.rest(c.members.owner, method, apiPath, body) as ReturnType<Api>;
  const must = async (method: string, apiPath: string, body?: unknown): Promise<{ id: string }> => {
    const r = await api(method, apiPath, body);
    if (r.status >= 300) throw new Error(`${method} ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const project = await must("POST", "/projects", { name: "Client" });
  const server = await must("POST", "/servers", { name: "This host", kind: "local", config: {} });
  await must("POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true });
  // The attacks below work on the stored gzip files: backups here are not encrypted.
  const { nextRuns: _, ...policy } = (await api("GET", "/backup-policy")).body as unknown as { nextRuns: string[] };
  await must("PUT", "/backup-policy", { ...policy, encrypt: false });
  return {
    app: c.app,
    api,
    storageDir,
    project,
    server,
    stop: async () => {
      await c.stop();
      fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** A client's database (its role may create databases, as a restore needs) holding 500 invoices. */
export async function createClientWithInvoices(): Promise<ClientDatabase> {
  const client = await createClientDatabase({ createdb: true });
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  try {
    await sql.unsafe("create table invoices (id int primary key, total numeric); insert into invoices select g, g * 10 from generate_series(1, 500) g");
  } finally {
    await sql.end();
  }
  return client;
}

export async function createPostgresEnvironmentViaApi(c: SecurityConsole, client: ClientDatabase): Promise<string> {
  const { host, port, user, password, database } = client;
  const created = await c.api("POST", "/environments", { projectId: c.project.id, name: "production", stage: "production", serverId: c.server.id, source: "postgres", sourceConfig: { host, port, user, password, database } });
  if (created.status !== 200) throw new Error(`environment: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

async function poll<T extends { status: string }>(c: SecurityConsole, apiPath: string, done: string[], timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await c.api("GET", apiPath);
    if (done.includes(body.status)) return body as unknown as T;
    if (Date.now() > deadline) throw new Error(`${apiPath} still ${body.status} after ${timeoutMs} ms:\n${c.app.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function backupViaApi(c: SecurityConsole, environmentId: string): Promise<ApiBackup> {
  const created = await c.api("POST", `/environments/${environmentId}/backups`, { name: "before the attack" });
  if (created.status !== 202) throw new Error(`backup: ${created.status} ${JSON.stringify(created.body)}`);
  return poll<ApiBackup>(c, `/backups/${created.body.id}`, ["completed", "failed"]);
}

/** Restores a backup over the environment it came from (no safety backup, to keep the test to the point). */
export async function restoreOriginalViaApi(c: SecurityConsole, backupId: string): Promise<ApiRestore> {
  const created = await c.api("POST", `/backups/${backupId}/restores`, { target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
  if (created.status !== 202) throw new Error(`restore: ${created.status} ${JSON.stringify(created.body)}`);
  return poll<ApiRestore>(c, `/restores/${created.body.id}`, ["completed", "failed"], 180_000);
}

/** The stored file of a backup's artifact. */
export function storedFile(c: SecurityConsole, backup: ApiBackup, kind: string): string {
  return path.join(c.storageDir, backup.artifacts.find((a) => a.kind === kind)!.key);
}

/** Every table of a database with its rows, to show a restore target did not change. */
export async function databaseSnapshot(client: ClientDatabase, database = client.database): Promise<Record<string, unknown[]>> {
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database, max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables where table_schema = 'public' order by 1`;
    const snapshot: Record<string, unknown[]> = {};
    for (const { name } of tables) snapshot[name] = await sql.unsafe(`select * from ${name} order by 1`);
    return snapshot;
  } finally {
    await sql.end();
  }
}

/**
 * The weakened setting: a file fed to the real psql the way a restore without checks would (`gunzip | psql`,
 * meta-commands allowed), into a scratch database of its own. Returns psql's exit status.
 */
export async function psqlUnchecked(client: ClientDatabase, gzipFile: string): Promise<number | null> {
  const scratch = `${client.database}_weakened_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${scratch} owner ${client.user}`);
  try {
    const run = spawnSync("bash", ["-c", 'gunzip -c "$1" | psql --no-psqlrc -q -v ON_ERROR_STOP=1 --file=-', "psql-unchecked", gzipFile], {
      env: { ...process.env, PGHOST: client.host, PGPORT: String(client.port), PGUSER: client.user, PGPASSWORD: client.password, PGDATABASE: scratch },
      encoding: "utf8",
    });
    return run.status;
  } finally {
    await admin.unsafe(`drop database if exists ${scratch} with (force)`);
    await admin.end();
  }
}

/** Databases a restore made beside the target and did not remove. */
export async function freshCopiesLeft(client: ClientDatabase): Promise<string[]> {
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${client.database}_restore_%`}`;
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
}
