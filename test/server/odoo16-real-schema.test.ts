import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { serveDownload } from "@/server/downloads/serve-download";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createDownloadLink } from "@/server/services/download-links";
import { addErasureSubject, addErasureSubjectInput, removeErasureSubject } from "@/server/services/erasure";
import { createImport } from "@/server/services/imports";
import { createRestore } from "@/server/services/restores";
import { eraseDump, eraseFromDump } from "@/plugins/source-odoo/src/erasure-dump";
import { ERASURE_TABLES } from "@/plugins/source-odoo/src/erasure-rules";
import { createBackupSetup, ENVIRONMENTS_ROOT, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { changedRows, tableNames, traceHits as traceHitsOf, tracePattern, withSql } from "../helpers/erasure-traces";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { filestoreChecksums, odooTableChecksums, type OdooFixture } from "../helpers/odoo-fixture";
import { createOdoo16Fixture, ODOO16_PERSONAL_TABLES, ODOO16_SUBJECT } from "../helpers/odoo16-fixture";
import { extractAsOdoo, inspectZip, ODOO_MANIFEST_KEYS, psqlLoad } from "../helpers/odoo-zip";
import { createOdooClient, createOdooEnvironment, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let fixture: OdooFixture;
let environment: Awaited<ReturnType<typeof createOdooEnvironment>>;
let original: Awaited<ReturnType<typeof odooState>>;
let backup: Awaited<ReturnType<typeof waitForBackup>>;
let files: string;
const plugins = builtinPluginHost();
const empties: Array<Awaited<ReturnType<typeof createClientDatabase>>> = [];

/** A trace as a whole word: jojane.erasure@example.org is someone else. */
const TRACE = tracePattern(ODOO16_SUBJECT.traces);
const traceHits = (url: string) => traceHitsOf(url, TRACE);

/** An empty database of a new role, as a fresh Odoo server's, to load a dump.sql into; its url. */
async function emptyDatabase(): Promise<string> {
  const empty = await createClientDatabase();
  empties.push(empty);
  return `postgres://${empty.user}:${empty.password}@${empty.host}:${empty.port}/${empty.database}`;
}

/** The backup exported as Odoo's zip through the console's own download link, written to a file. */
async function exportZip(name: string, options: { neutralize?: boolean } = {}): Promise<string> {
  const link = await createDownloadLink(t.db, plugins, owner, { backupId: backup.id, format: "odoo-zip", neutralize: options.neutralize }, 900);
  const token = link.url.slice(link.url.indexOf("/download/") + "/download/".length);
  const response = await serveDownload(t.db, plugins, new Request(link.url), token);
  expect(response.status).toBe(200);
  const file = path.join(files, `${name}.zip`);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream), fs.createWriteStream(file));
  return file;
}

async function restoreAsNew(backupId: string, name: string, options: { neutralize?: boolean } = {}) {
  const database = `${client.database}_${name}`;
  const restore = await createRestore(t.db, plugins, owner, {
    backupId,
    target: "new_environment",
    newEnvironment: { projectId: setup.project.id, name, stage: "staging", serverId: setup.server.id, sourceConfig: { database } },
    safetyBackup: false,
    includeFilestore: true,
    neutralize: options.neutralize ?? false,
    confirm: "RESTORE",
  });
  const done = await waitForRestore(t.db, owner, restore.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed" });
  return { restore: done, database, url: client.url(database) };
}

function without<T extends Record<string, unknown>>(record: T, key: string): Omit<T, string> {
  const { [key]: _, ...rest } = record;
  return rest;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Odoo 16"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient(undefined, async (url, dataDir) => (fixture = await createOdoo16Fixture(url, dataDir)));
  environment = await createOdooEnvironment(t.db, plugins, owner, setup, client);
  original = await odooState(client);
  files = fs.mkdtempSync(path.join(ENVIRONMENTS_ROOT, "odoo16-files-"));
  worker = await startTestWorker(t);
  const created = await createBackup(t.db, owner, { environmentId: environment.id, name: "Odoo 16", notes: "", includeFilestore: true, retention: "monthly" });
  backup = await waitForBackup(t.db, owner, created.id);
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  for (const empty of empties) await empty.drop();
  if (files) fs.rmSync(files, { recursive: true, force: true });
  await t?.drop();
});

describe("a real Odoo 16 schema (776 tables)", () => {
  it("is loaded whole and seeded: every table, jsonb translations, the subject in each personal-data table", async () => {
    expect(Object.keys(original.tables).filter((name) => !name.startsWith("sequence "))).toHaveLength(776);
    const [menuName] = await withSql(client.url(), (sql) => sql`select data_type from information_schema.columns where table_name = 'ir_ui_menu' and column_name = 'name'`);
    expect(menuName).toEqual({ data_type: "jsonb" });
    // The tables erasure knows that this schema has: every one but crm_lead (crm was never installed there).
    const present = new Set(await tableNames(client.url()));
    expect(ERASURE_TABLES.filter((table) => present.has(table)).sort()).toEqual(ODOO16_PERSONAL_TABLES);
    expect(ERASURE_TABLES.filter((table) => !present.has(table))).toEqual(["crm_lead"]);
    const hit = new Set((await traceHits(client.url())).map((h) => h.split(":")[0]));
    // Odoo 16's notifications (no mail_email_address column yet) and the link tables hold the person by their contact's id only.
    const byId = ["mail_mail_res_partner_rel", "mail_message_res_partner_rel", "mail_notification"];
    expect(ODOO16_PERSONAL_TABLES.filter((table) => !byId.includes(table) && !hit.has(table))).toEqual([]);
    const [linked] = await withSql(client.url(), (sql) => sql`
      select (select count(*)::int from mail_mail_res_partner_rel where res_partner_id = 4) as mails, (select count(*)::int from mail_message_res_partner_rel where res_partner_id = 4) as messages,
        (select count(*)::int from mail_notification where res_partner_id = 4) as notifications`);
    expect(linked).toEqual({ mails: 1, messages: 2, notifications: 2 });
  });

  it("is backed up through the Odoo source with real pg_dump: Odoo 16.0, major 16, its modules", () => {
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(backup.application).toMatchObject({ name: "Odoo", version: "16.0", major: "16" });
    expect(backup.application!.modules).toMatchObject({ base: "16.0.1.3", mail: "16.0.1.10", hr: "16.0.1.1" });
    expect(backup.application!.modules).not.toHaveProperty("crm");
  });
});

describe("the Odoo zip of a backup of the Odoo 16 database", () => {
  let zipFile: string;

  beforeAll(async () => {
    zipFile = await exportZip("export");
  }, 120_000);

  it("has Odoo 16 dump_db's layout and manifest.json", () => {
    const zip = inspectZip(zipFile);
    expect(zip).toMatchObject({ isZip: true, bad: null });
    const names = zip.members.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(["dump.sql", "manifest.json"]);
    expect(new Set(names.slice(2))).toEqual(new Set(Object.keys(original.files).map((name) => `filestore/${name}`)));
    expect(zip.members.every((m) => m.deflated && !m.isDir)).toBe(true);
    const manifest = JSON.parse(zip.manifest!) as Record<string, unknown>;
    expect(Object.keys(manifest)).toEqual(ODOO_MANIFEST_KEYS);
    expect(manifest).toMatchObject({ odoo_dump: "1", db_name: client.database, version: "16.0", major_version: "16.0", version_info: [16, 0, 0, "final", 0, ""] });
    expect(manifest.modules).toEqual(backup.application!.modules);
    const python = execFileSync("python3", ["-c", "import json,sys; print(json.dumps(json.loads(sys.stdin.read()), indent=4), end='')"], { input: zip.manifest!, encoding: "utf8" });
    expect(zip.manifest).toBe(python);
  });

  it("loads with psql into an empty database with equal tables, and its files are byte-equal", async () => {
    const into = fs.mkdtempSync(path.join(files, "restored-"));
    extractAsOdoo(zipFile, into);
    const url = await emptyDatabase();
    psqlLoad(url, path.join(into, "dump.sql"));
    expect(await odooTableChecksums(url)).toEqual(original.tables);
    expect(filestoreChecksums(path.join(into, "filestore"))).toEqual(original.files);
  }, 120_000);

  it("neutralized, loads with the neutralization applied on Odoo 16's own ir_cron, ir_mail_server and ir_config_parameter", async () => {
    const file = await exportZip("neutralized", { neutralize: true });
    const into = fs.mkdtempSync(path.join(files, "neutralized-"));
    extractAsOdoo(file, into);
    const url = await emptyDatabase();
    psqlLoad(url, path.join(into, "dump.sql"));
    expect(await withSql(url, (sql) => sql`select name, smtp_host, smtp_port from ir_mail_server where active`)).toEqual([{ name: "neutralization - disable emails", smtp_host: "invalid", smtp_port: 1025 }]);
    const crons = await withSql(url, (sql) => sql`select c.cron_name, d.name from ir_cron c join ir_model_data d on d.model = 'ir.cron' and d.res_id = c.id where c.active`);
    expect(crons).toEqual([{ cron_name: { en_US: "Base: Auto-vacuum internal data" }, name: "autovacuum_job" }]);
    expect(await withSql(url, (sql) => sql`select active from fetchmail_server`)).toEqual([{ active: false }]);
    expect(await withSql(url, (sql) => sql`select code, state from payment_provider order by id`)).toEqual([{ code: "custom", state: "disabled" }, { code: "stripe", state: "test" }]);
    expect(await withSql(url, (sql) => sql`select value from ir_config_parameter where key = 'database.is_neutralized'`)).toEqual([{ value: "true" }]);
  }, 120_000);

  it("imported (the plugin's importArchive), restores into a new database with identical tables and files", async () => {
    const created = await createImport(t.db, plugins, owner, { environmentId: environment.id, from: { kind: "server", path: zipFile }, name: "from Odoo 16's zip", notes: "", retention: "monthly" });
    const imported = await waitForBackup(t.db, owner, created.id);
    expect(imported, imported.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported" });
    expect(imported.application).toMatchObject({ name: "Odoo", version: "16.0", major: "16" });
    const { database } = await restoreAsNew(imported.id, "imported");
    const copy = await odooState(client, database);
    // A new environment gets its own database.uuid, database.secret and creation date; every other table is the original's.
    expect(without(copy.tables, "ir_config_parameter")).toEqual(without(original.tables, "ir_config_parameter"));
    expect(copy.tables.ir_config_parameter!.count).toBe(original.tables.ir_config_parameter!.count);
    expect(copy.files).toEqual(original.files);
  }, 180_000);
});

describe("on the real Odoo 16 schema", () => {
  it("a restore with the subject erased leaves no trace of them in any of its 776 tables, nor their files", async () => {
    const entry = await addErasureSubject(t.db, owner, addErasureSubjectInput.parse({ projectId: setup.project.id, subject: ODOO16_SUBJECT.email, note: "GDPR request" }));
    let restored;
    try {
      restored = await restoreAsNew(backup.id, "erased");
    } finally {
      await removeErasureSubject(t.db, owner, entry.id);
    }
    expect(restored.restore.report).toMatchObject({ erasedRecords: fixture.subject.records, erasedSubjects: 1 });
    expect(await traceHits(restored.url)).toEqual([]);
    // Only the person's rows changed, in each personal-data table (the copy's identity parameters aside).
    expect(without(await changedRows(client.url(), restored.url), "ir_config_parameter")).toEqual(ODOO16_SUBJECT.rows);
    const copy = await odooState(client, restored.database);
    // Their ID card, CV and photo; the logo they share with the company stays.
    expect(fixture.subject.erasedFiles).toHaveLength(3);
    expect(Object.keys(original.files).filter((name) => !(name in copy.files)).sort()).toEqual(fixture.subject.erasedFiles);
    // Everyone else is kept: Jo Ann (whose address contains the subject's) and the company.
    expect(await withSql(restored.url, (sql) => sql`select id, name, email from res_partner where id in (1, 5) order by id`)).toEqual([
      { id: 1, name: "YourCompany", email: "info@yourcompany.example" },
      { id: 5, name: "Jo Ann Keep", email: "jojane.erasure@example.org" },
    ]);
  }, 180_000);

  it("an Odoo zip exported for a project that erased the subject holds no trace of them, in dump.sql or the filestore", async () => {
    const entry = await addErasureSubject(t.db, owner, addErasureSubjectInput.parse({ projectId: setup.project.id, subject: `partner,${ODOO16_SUBJECT.partner}`, note: "GDPR request" }));
    let file;
    try {
      file = await exportZip("erased");
    } finally {
      await removeErasureSubject(t.db, owner, entry.id);
    }
    const into = fs.mkdtempSync(path.join(files, "erased-"));
    extractAsOdoo(file, into);
    expect(fs.readFileSync(path.join(into, "dump.sql"), "utf8").split("\n").filter((line) => TRACE.test(line.toLowerCase()))).toEqual([]);
    const exported = filestoreChecksums(path.join(into, "filestore"));
    expect(Object.keys(original.files).filter((name) => !(name in exported)).sort()).toEqual(fixture.subject.erasedFiles);
  }, 120_000);

  it("eraseFromDump and eraseDump on its real pg_dump leave no trace in the bytes, and the dump loads", async () => {
    const dumpFile = path.join(files, "odoo16.sql");
    execFileSync("pg_dump", ["--no-owner", "--file", dumpFile, client.url()]);
    expect(TRACE.test(fs.readFileSync(dumpFile, "utf8").toLowerCase())).toBe(true);
    const erased = await eraseDump(async () => fs.createReadStream(dumpFile), [ODOO16_SUBJECT.email], new AbortController().signal);
    const erasedFile = path.join(files, "odoo16-erased.sql");
    await pipeline(erased.dump, fs.createWriteStream(erasedFile));
    expect(fs.readFileSync(erasedFile, "utf8").split("\n").filter((line) => TRACE.test(line.toLowerCase()))).toEqual([]);
    expect([...(await erased.erasedFiles)].sort()).toEqual(fixture.subject.erasedFiles);
    const byPartner = path.join(files, "odoo16-erased-partner.sql");
    await pipeline(await eraseFromDump(async () => fs.createReadStream(dumpFile), [`res.partner,${ODOO16_SUBJECT.partner}`], new AbortController().signal), fs.createWriteStream(byPartner));
    expect(fs.readFileSync(byPartner).equals(fs.readFileSync(erasedFile))).toBe(true);
    const url = await emptyDatabase();
    psqlLoad(url, erasedFile);
    expect(await traceHits(url)).toEqual([]);
  }, 180_000);

  it("a restore with neutralize reports each step it applied", async () => {
    const { restore, url } = await restoreAsNew(backup.id, "neutral", { neutralize: true });
    expect(restore.report!.neutralized).toEqual([
      "1 outgoing mail server deactivated; outgoing mail goes to a dummy server",
      "1 incoming mail server deactivated",
      "1 scheduled action deactivated (the autovacuum job kept)",
      "1 live payment provider disabled",
      "0 email templates no longer tied to a mail server",
      "database marked as neutralized",
    ]);
    expect(await withSql(url, (sql) => sql`select count(*)::int as n from ir_cron where active`)).toEqual([{ n: 1 }]);
  }, 180_000);
});
