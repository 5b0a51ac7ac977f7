import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import type { PluginHost } from "@/server/plugins/host";
import { createEnvironment } from "@/server/services/environments";
import { getRestore } from "@/server/services/restores";
import { ENVIRONMENTS_ROOT } from "./backup-env";
import type { ConsoleWithMembers } from "./console-members";
import { adminDatabaseUrl, createClientDatabase } from "./database";
import { createOdooFixture, filestoreChecksums, odooTableChecksums } from "./odoo-fixture";

export type OdooClient = Awaited<ReturnType<typeof createClientDatabase>> & { dataDir: string; url: (database?: string) => string; filestore: (database?: string) => string };

/**
 * A client's Odoo: a database (its role may create databases, as Odoo's does) filled by `fill` (the Odoo 17 subset
 * fixture unless told), and its data dir with the filestore.
 */
export async function createOdooClient(
  dataDir = fs.mkdtempSync(path.join(ENVIRONMENTS_ROOT, "odoo-")),
  fill: (url: string, dataDir: string) => Promise<unknown> = createOdooFixture,
): Promise<OdooClient> {
  const client = await createClientDatabase({ createdb: true });
  const url = (database = client.database) => {
    const u = new URL(adminDatabaseUrl());
    Object.assign(u, { username: client.user, password: client.password, pathname: `/${database}` });
    return u.toString();
  };
  const filestore = (database = client.database) => path.join(dataDir, "filestore", database);
  await fill(url(), dataDir);
  return {
    ...client,
    dataDir,
    url,
    filestore,
    drop: async () => {
      const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
      const databases = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${client.database}%`}`;
      for (const { datname } of databases) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
      await admin.end();
      await client.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function odooSourceConfig(client: OdooClient, database = client.database) {
  return { host: client.host, port: client.port, user: client.user, password: client.password, database, dataDir: client.dataDir };
}

export async function createOdooEnvironment(db: Db, plugins: PluginHost, owner: Principal, setup: { project: { id: string }; server: { id: string } }, client: OdooClient, name = "production") {
  return createEnvironment(db, plugins, owner, { projectId: setup.project.id, serverId: setup.server.id, name, stage: "production", source: "odoo", sourceConfig: odooSourceConfig(client) });
}

/** Every table's row count and checksum, and every filestore file's sha256. */
export async function odooState(client: OdooClient, database = client.database) {
  return { tables: await odooTableChecksums(client.url(database)), files: filestoreChecksums(client.filestore(database)) };
}

export async function configParameter(url: string, key: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ value: string }[]>`select value from ir_config_parameter where key = ${key}`;
    return row?.value ?? null;
  } finally {
    await sql.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

export async function databasesLike(prefix: string): Promise<string[]> {
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`} order by 1`;
    return rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
}

const FINAL = new Set(["completed", "failed"]);

export async function waitForRestore(db: Db, owner: Principal, id: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const restore = await getRestore(db, owner, id);
    if (FINAL.has(restore.status)) return restore;
    if (Date.now() > deadline) throw new Error(`restore ${id} still ${restore.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Through the REST API: a project "Client", this host as a server, a local storage location (the default), and an Odoo environment "production" of `client`. */
export async function addLocalOdooEnvironment(c: ConsoleWithMembers, client: OdooClient): Promise<{ project: string; environment: string }> {
  const project = (await c.must("POST", "/projects", { name: "Client" })).id;
  const server = await c.must("POST", "/servers", { name: "This host", kind: "local", config: {}, allowedRoots: [ENVIRONMENTS_ROOT] });
  await c.must("POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-storage-")) }, isDefault: true });
  const environment = (await c.must("POST", "/environments", { projectId: project, name: "production", stage: "production", serverId: server.id, source: "odoo", sourceConfig: odooSourceConfig(client) })).id;
  return { project, environment };
}
