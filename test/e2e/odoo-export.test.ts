import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog } from "@/server/db/schema";
import { createApiToken } from "@/server/services/api-tokens";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { createBackupSetup, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { filestoreChecksums, ODOO_SUBJECT, odooTableChecksums } from "../helpers/odoo-fixture";
import { extractAsOdoo, inspectZip, ODOO_MANIFEST_KEYS, psqlLoad } from "../helpers/odoo-zip";
import { createOdooClient, createOdooEnvironment, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let app: ConsoleProcess;
let owner: Principal;
let token: string;
let client: OdooClient;
let storageDir: string;
let environmentId: string;
let projectId: string;
let backup: Awaited<ReturnType<typeof waitForBackup>>;
const plugins = builtinPluginHost();
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-odoo-export-"));
const databases: Array<{ drop: () => Promise<void> }> = [];

/** The console's REST API over HTTP: the links it makes carry its own address. */
async function api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}/api/v1${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** curl as the person given the link runs it: exit code, HTTP status and headers. */
function curl(url: string, file: string): { exit: number | null; status: number; headers: string } {
  const headersFile = `${file}.headers`;
  const run = spawnSync("curl", ["-sS", "-D", headersFile, "-o", file, "-w", "%{http_code}", url], { encoding: "utf8" });
  return { exit: run.status, status: Number(run.stdout.trim()), headers: fs.existsSync(headersFile) ? fs.readFileSync(headersFile, "utf8") : "" };
}

async function emptyDatabaseUrl(): Promise<string> {
  const database = await createClientDatabase();
  databases.push(database);
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: database.user, password: database.password, pathname: `/${database.database}` });
  return url.toString();
}

async function exportLink(body: Record<string, unknown>): Promise<{ url: string; fileName: string; format: string; neutralized: boolean; size: number | null }> {
  const created = await api("POST", `/backups/${backup.id}/download-links`, { expiresIn: 900, ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body as { url: string; fileName: string; format: string; neutralized: boolean; size: number | null };
}

beforeAll(async () => {
  t = await createTestDatabase();
  const org = await createOrgWithMembers(t.db, "Export Agency");
  owner = org.principals.owner;
  token = (await createApiToken(t.db, owner, { name: "exports" })).token;
  const setup = await createBackupSetup(t.db, plugins, owner);
  storageDir = setup.storageDir;
  projectId = setup.project.id;
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, client)).id;
  app = await startTestConsole(t, "export");
  pointProcessAtDatabase(t);
  const created = await api("POST", `/environments/${environmentId}/backups`, { name: "for Odoo" });
  expect(created.status).toBe(202);
  backup = await waitForBackup(t.db, owner, created.body.id as string);
  expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
}, 240_000);

afterAll(async () => {
  await app?.stop();
  for (const database of databases) await database.drop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe("an Odoo backup downloaded in Odoo's format from a console link", () => {
  it("is the zip Odoo 16's dump_db writes, whose dump loads with psql to the fixture's tables and whose files are byte-equal", async () => {
    const link = await exportLink({ format: "odoo-zip" });
    expect(link).toMatchObject({ format: "odoo-zip", neutralized: false, size: null });
    expect(link.fileName).toMatch(/^production-\d{4}-\d{2}-\d{2}\.zip$/);
    const file = path.join(downloads, link.fileName);
    const got = curl(link.url, file);
    expect(got).toMatchObject({ exit: 0, status: 200 });
    expect(got.headers).toMatch(/content-type: application\/zip/i);
    expect(got.headers).toContain(`filename="${link.fileName}"`);

    // Built as it streams: no length is promised, and a HEAD builds nothing.
    expect(got.headers).not.toMatch(/content-length/i);
    expect(execFileSync("curl", ["-sS", "-I", link.url], { encoding: "utf8" })).toMatch(/^HTTP\/1\.1 200[\s\S]*content-type: application\/zip/i);

    const zip = inspectZip(file);
    expect(zip).toMatchObject({ isZip: true, bad: null });
    const names = zip.members.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(["dump.sql", "manifest.json"]);
    expect(zip.members.slice(2).every((m) => m.name.startsWith("filestore/") && m.deflated && !m.isDir)).toBe(true);
    const manifest = JSON.parse(zip.manifest!) as Record<string, unknown>;
    expect(Object.keys(manifest)).toEqual(ODOO_MANIFEST_KEYS);
    expect(manifest).toMatchObject({ odoo_dump: "1", db_name: client.database, version: backup.application?.version, modules: backup.application?.modules });

    const into = fs.mkdtempSync(path.join(downloads, "odoo-"));
    extractAsOdoo(file, into);
    const url = await emptyDatabaseUrl();
    psqlLoad(url, path.join(into, "dump.sql"));
    expect(await odooTableChecksums(url)).toEqual(await odooTableChecksums(client.url()));
    expect(filestoreChecksums(path.join(into, "filestore"))).toEqual(filestoreChecksums(client.filestore()));

    const [logged] = await t.db.select().from(activityLog).where(and(eq(activityLog.targetId, backup.id), eq(activityLog.action, "download_link.create")));
    expect(logged).toMatchObject({ actorLabel: expect.stringContaining("exports"), message: expect.stringContaining("as Odoo format (.zip)") });
  }, 180_000);

  it("of an encrypted backup, is built from the decrypted files", async () => {
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), encrypt: true });
    const created = await api("POST", `/environments/${environmentId}/backups`, { name: "encrypted" });
    const encrypted = await waitForBackup(t.db, owner, created.body.id as string);
    expect(encrypted, encrypted.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(encrypted.artifacts.every((a) => a.kind === "manifest" || a.fileName.endsWith(".age"))).toBe(true);
    const made = await api("POST", `/backups/${encrypted.id}/download-links`, { format: "odoo-zip", expiresIn: 900 });
    const file = path.join(downloads, "encrypted.zip");
    expect(curl((made.body as { url: string }).url, file)).toMatchObject({ exit: 0, status: 200 });
    const into = fs.mkdtempSync(path.join(downloads, "encrypted-"));
    extractAsOdoo(file, into);
    const url = await emptyDatabaseUrl();
    psqlLoad(url, path.join(into, "dump.sql"));
    expect(await odooTableChecksums(url)).toEqual(await odooTableChecksums(client.url()));
    expect(filestoreChecksums(path.join(into, "filestore"))).toEqual(filestoreChecksums(client.filestore()));
  }, 180_000);

  it("neutralized, loads with the neutralization a restore applies", async () => {
    const link = await exportLink({ format: "odoo-zip", neutralize: true });
    expect(link.neutralized).toBe(true);
    const file = path.join(downloads, "neutralized.zip");
    expect(curl(link.url, file)).toMatchObject({ exit: 0, status: 200 });
    const into = fs.mkdtempSync(path.join(downloads, "neutralized-"));
    extractAsOdoo(file, into);
    const url = await emptyDatabaseUrl();
    psqlLoad(url, path.join(into, "dump.sql"));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`select name from ir_mail_server where active`).toEqual([{ name: "neutralization - disable emails" }]);
      expect(await sql`select value from ir_config_parameter where key = 'database.is_neutralized'`).toEqual([{ value: "true" }]);
    } finally {
      await sql.end();
    }
  }, 180_000);

  it("refuses formats the source does not declare and neutralize without a format, in one line", async () => {
    const unknown = await api("POST", `/backups/${backup.id}/download-links`, { format: "tar-of-everything", expiresIn: 900 });
    expect(unknown).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining('no export format "tar-of-everything"; it offers "odoo-zip"') } } });
    const alone = await api("POST", `/backups/${backup.id}/download-links`, { artifact: "database", neutralize: true, expiresIn: 900 });
    expect(alone).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining("Only an export can be neutralized") } } });
    const listed = await api("GET", `/backups/${backup.id}/download-links`);
    expect((listed.body.items as Array<{ format: string | null }>).some((l) => l.format === "odoo-zip")).toBe(true);
  });

  it("fails the download, never serving unchecked bytes, when a stored file was tampered with", async () => {
    const stored = backup.artifacts.find((a) => a.kind === "database")!;
    const storedFile = path.join(storageDir, stored.key);
    const original = fs.readFileSync(storedFile);
    const tampered = Buffer.from(original);
    // Same size, one byte changed past the first chunk: only the chunk checksums can tell.
    const at = Math.floor(tampered.length * 0.75);
    tampered[at] = tampered[at]! ^ 0xff;
    fs.writeFileSync(storedFile, tampered);
    try {
      const link = await exportLink({ format: "odoo-zip" });
      const file = path.join(downloads, "tampered.zip");
      const got = curl(link.url, file);
      expect(got.exit).not.toBe(0);
      const check = spawnSync("python3", ["-c", "import sys, zipfile; sys.exit(0 if zipfile.is_zipfile(sys.argv[1]) else 3)", file]);
      expect(check.status).toBe(3);
      await app.waitForLog(`Export of backup ${backup.id} stopped: The stored database file is damaged`);
    } finally {
      fs.writeFileSync(storedFile, original);
    }
  }, 120_000);

  it("applies the project's erasure list: no trace of the erased person in dump.sql, their attachments' files left out", async () => {
    expect((await api("POST", `/projects/${projectId}/erasure-subjects`, { subject: ODOO_SUBJECT.email, note: "request of 2026-12-01" })).status).toBe(200);
    const link = await exportLink({ format: "odoo-zip" });
    const file = path.join(downloads, "erased.zip");
    expect(curl(link.url, file)).toMatchObject({ exit: 0, status: 200 });
    const into = fs.mkdtempSync(path.join(downloads, "erased-"));
    extractAsOdoo(file, into);
    // A trace as a whole word (jojane.erasure@example.org is someone else), as the erasure tests read them.
    const escape = (text: string) => text.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const trace = new RegExp(`(^|[^a-z0-9._%+-])(${ODOO_SUBJECT.traces.map(escape).join("|")})`);
    const dump = fs.readFileSync(path.join(into, "dump.sql"), "utf8");
    expect(dump.split("\n").filter((line) => trace.test(line.toLowerCase()))).toEqual([]);
    const exported = filestoreChecksums(path.join(into, "filestore"));
    const original = filestoreChecksums(client.filestore());
    const left = Object.keys(original).filter((name) => !(name in exported));
    expect(left.length).toBeGreaterThan(0);
    for (const [name, sha] of Object.entries(exported)) expect(original[name], name).toBe(sha);
  }, 120_000);

  it("says why on the link's page when the stored manifest no longer matches the catalog", async () => {
    const manifest = backup.artifacts.find((a) => a.kind === "manifest")!;
    const manifestFile = path.join(storageDir, manifest.key);
    const original = fs.readFileSync(manifestFile);
    fs.writeFileSync(manifestFile, original.toString("utf8").replace(/"sha256": "[0-9a-f]{4}/, '"sha256": "0000'));
    try {
      const link = await exportLink({ format: "odoo-zip" });
      const page = execFileSync("curl", ["-sS", "-H", "accept: application/json", "-w", "\n%{http_code}", link.url], { encoding: "utf8" });
      const [json, status] = page.split("\n");
      expect(status).toBe("409");
      expect(JSON.parse(json!)).toMatchObject({ error: { code: "conflict", message: expect.stringContaining("The export cannot be made: The stored manifest of this backup") } });
    } finally {
      fs.writeFileSync(manifestFile, original);
    }
  });
});
