import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { addErasureSubject, addErasureSubjectInput, removeErasureSubject } from "@/server/services/erasure";
import { createRestore } from "@/server/services/restores";
import { eraseDump, eraseFromDump } from "@/plugins/source-odoo/src/erasure-dump";
import { createBackupSetup, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from "../helpers/database";
import { changedRows, traceHits as traceHitsOf, tracePattern, withSql } from "../helpers/erasure-traces";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { ODOO_SUBJECT, odooTableChecksums } from "../helpers/odoo-fixture";
import { createOdooClient, createOdooEnvironment, databasesLike, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let backupId: string;
let original: Awaited<ReturnType<typeof odooState>>;
/** The fixture's database as pg_dump writes it (plain SQL, COPY data). */
let dumpFile: string;
const plugins = builtinPluginHost();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-erasure-test-"));

const SUBJECT = ODOO_SUBJECT;
const SUBJECT_ROWS = ODOO_SUBJECT.rows;
const RECORDS = Object.values(SUBJECT_ROWS).reduce((a, b) => a + b, 0);
const TRACES = ODOO_SUBJECT.traces;
/** A trace as a whole word: jojane.erasure@example.org is someone else. */
const TRACE = tracePattern(TRACES);
const traceHits = (url: string) => traceHitsOf(url, TRACE);

async function scratchDatabase(): Promise<string> {
  const name = `erasure_scratch_${randomUUID().slice(0, 8)}`;
  await withSql(adminDatabaseUrl(), (sql) => sql.unsafe(`create database ${name}`));
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropScratch(url: string): Promise<void> {
  await withSql(adminDatabaseUrl(), (sql) => sql.unsafe(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`));
}

function loadDump(file: string, url: string): void {
  execFileSync("psql", ["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-f", file, url], { stdio: ["ignore", "ignore", "pipe"] });
}

async function startRestoreAsNew(name: string) {
  const restore = await createRestore(t.db, plugins, owner, {
    backupId,
    target: "new_environment",
    newEnvironment: { projectId: setup.project.id, name, stage: "staging", serverId: setup.server.id, sourceConfig: { database: `${client.database}_${name}` } },
    safetyBackup: false,
    includeFilestore: true,
    neutralize: false,
    confirm: "RESTORE",
  });
  return waitForRestore(t.db, owner, restore.id);
}

async function restoreAsNew(name: string) {
  const done = await startRestoreAsNew(name);
  expect(done, done.error ?? "").toMatchObject({ status: "completed" });
  return { restore: done, database: `${client.database}_${name}` };
}

/** Restores the backup with `subject` on the project's erasure list, which is left as it was. */
async function restoreErasing(subject: string, name: string) {
  const entry = await addErasureSubject(t.db, owner, addErasureSubjectInput.parse({ projectId: setup.project.id, subject, note: "GDPR request" }));
  try {
    return await restoreAsNew(name);
  } finally {
    await removeErasureSubject(t.db, owner, entry.id);
  }
}

function without<T extends Record<string, unknown>>(record: T, key: string): Omit<T, string> {
  const { [key]: _, ...rest } = record;
  return rest;
}

/** Erases `subjects` from the fixture's dump into a file; returns it with the files to leave out. */
async function erasedDumpFile(subjects: string[]) {
  const erased = await eraseDump(async () => fs.createReadStream(dumpFile), subjects, new AbortController().signal);
  const file = path.join(tmp, `erased-${randomUUID().slice(0, 8)}.sql`);
  await pipeline(erased.dump, fs.createWriteStream(file));
  return { file, files: [...(await erased.erasedFiles)].sort() };
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Erasure"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  const environment = await createOdooEnvironment(t.db, plugins, owner, setup, client);
  worker = await startTestWorker(t);
  original = await odooState(client);
  const created = await createBackup(t.db, owner, { environmentId: environment.id, name: "before the erasure", notes: "", includeFilestore: true, retention: "monthly" });
  const backup = await waitForBackup(t.db, owner, created.id);
  expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
  backupId = backup.id;
  dumpFile = path.join(tmp, "fixture.sql");
  execFileSync("pg_dump", ["--no-owner", "--file", dumpFile, client.url()]);
});

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("erasure of a person in every table Odoo keeps personal data in", () => {
  it("finds the person everywhere in the fixture before erasure", async () => {
    const hits = await traceHits(client.url());
    const tablesHit = new Set(hits.map((h) => h.split(":")[0]));
    for (const table of Object.keys(SUBJECT_ROWS)) {
      if (!["mail_mail_res_partner_rel", "mail_message_res_partner_rel"].includes(table)) expect([...tablesHit], table).toContain(table);
    }
  });

  it("restores a backup through the engine with no trace of a person erased by email; everyone else untouched", async () => {
    const { restore, database } = await restoreErasing(SUBJECT.email.toUpperCase(), "erased_email");
    expect(restore.report).toMatchObject({ erasedRecords: RECORDS, erasedSubjects: 1 });
    const url = client.url(database);
    expect(await traceHits(url)).toEqual([]);
    // Only the person's rows changed (the copy's identity aside): the other people's rows are as in the backup.
    expect(without(await changedRows(client.url(), url), "ir_config_parameter")).toEqual(SUBJECT_ROWS);
    const rows = await withSql(url, (sql) => sql`select id, name, email from res_partner where id in (3, 5) order by id`);
    expect(rows).toEqual([
      { id: 3, name: "Mitchell Admin", email: "admin@yourcompany.example" },
      { id: 5, name: "Jo Ann Keep", email: "jojane.erasure@example.org" },
    ]);
    expect(await withSql(url, (sql) => sql`select login, active from res_users where id = 3`)).toEqual([{ login: "erased-3@invalid", active: false }]);
    expect(await withSql(url, (sql) => sql`select mail_mail_id, res_partner_id from mail_mail_res_partner_rel`)).toEqual([{ mail_mail_id: 3, res_partner_id: 5 }]);

    // The files only the person's attachments used are gone from the restored filestore; a shared one stays.
    const copy = await odooState(client, database);
    const erasedFiles = Object.keys(original.files).filter((f) => !(f in copy.files));
    expect(erasedFiles.sort()).toHaveLength(2);
    for (const file of erasedFiles) expect(fs.readFileSync(path.join(client.filestore(), file), "utf8")).toMatch(/Jane Erased/);
    expect(copy.files).toEqual(Object.fromEntries(Object.entries(original.files).filter(([f]) => !erasedFiles.includes(f))));
  });

  it("erases a person given by record reference (their contact's id) the same way", async () => {
    const { restore, database } = await restoreErasing(`partner,${SUBJECT.partner}`, "erased_partner");
    expect(restore.report).toMatchObject({ erasedRecords: RECORDS });
    expect(await traceHits(client.url(database))).toEqual([]);
    expect(without(await changedRows(client.url(), client.url(database)), "ir_config_parameter")).toEqual(SUBJECT_ROWS);
  });

  it("rewrites the fixture's real pg_dump: the bytes hold no trace, psql loads it, and it equals the erased restored copy", async () => {
    const { file, files } = await erasedDumpFile([SUBJECT.email]);
    const text = fs.readFileSync(file, "utf8").toLowerCase();
    expect(TRACES.filter((trace) => tracePattern([trace]).test(text))).toEqual([]);
    expect(fs.readFileSync(dumpFile, "utf8")).toContain("Jane Erased");
    expect(files).toHaveLength(2);
    for (const name of files) expect(fs.readFileSync(path.join(client.filestore(), name), "utf8")).toMatch(/Jane Erased/);

    const scratch = await scratchDatabase();
    try {
      loadDump(file, scratch);
      expect(await traceHits(scratch)).toEqual([]);
      expect(await changedRows(client.url(), scratch)).toEqual(SUBJECT_ROWS);
      // One rule set: the dump erased as an export is, table for table, the copy a restore erased (by the engine test above).
      const restored = (await odooState(client, `${client.database}_erased_email`)).tables;
      expect(without(await odooTableChecksums(scratch), "ir_config_parameter")).toEqual(without(restored, "ir_config_parameter"));
    } finally {
      await dropScratch(scratch);
    }
  });

  it("gives the same dump for the person given by record reference, and passes a dump through when nobody is erased", async () => {
    const byEmail = await erasedDumpFile([SUBJECT.email]);
    const byPartner = await erasedDumpFile([`res.partner,${SUBJECT.partner}`]);
    expect(fs.readFileSync(byPartner.file).equals(fs.readFileSync(byEmail.file))).toBe(true);
    expect(byPartner.files).toEqual(byEmail.files);
    const untouched = await erasedDumpFile([]);
    expect(fs.readFileSync(untouched.file).equals(fs.readFileSync(dumpFile))).toBe(true);
    expect(untouched.files).toEqual([]);
  });

  it("fails a restore whose erasure list names a record Odoo does not know, and hands back no copy", async () => {
    const entry = await addErasureSubject(t.db, owner, addErasureSubjectInput.parse({ projectId: setup.project.id, subject: "invoice,7", note: "" }));
    try {
      const failed = await startRestoreAsNew("unknown_reference");
      expect(failed).toMatchObject({
        status: "failed",
        error: 'The erasure subject "invoice,7" is neither an email address nor a record Odoo erasure knows (res.partner,ID, res.users,ID or hr.employee,ID)',
      });
      expect(await databasesLike(`${client.database}_unknown_reference`)).toEqual([]);
      expect(fs.existsSync(client.filestore(`${client.database}_unknown_reference`))).toBe(false);
    } finally {
      await removeErasureSubject(t.db, owner, entry.id);
    }
  });

  it("refuses a record reference Odoo does not know, rather than leave the person in the dump", async () => {
    await expect(eraseFromDump(async () => fs.createReadStream(dumpFile), ["invoice,7"], new AbortController().signal)).rejects.toThrow(
      'The erasure subject "invoice,7" is neither an email address nor a record Odoo erasure knows (res.partner,ID, res.users,ID or hr.employee,ID)',
    );
  });

  it("accepts emails and record references on the erasure list, and nothing else", async () => {
    for (const subject of ["not an address", "partner,0", "partner, 4", ",4", "partner,4,5", "4", "partner:4"]) {
      const parsed = addErasureSubjectInput.safeParse({ projectId: setup.project.id, subject, note: "" });
      expect(parsed.error?.issues.map((i) => i.message), subject).toEqual(["Enter the erased person's email address, or a record reference such as partner,42"]);
    }
    const entry = await addErasureSubject(t.db, owner, addErasureSubjectInput.parse({ projectId: setup.project.id, subject: " Res.Partner,42 ", note: "" }));
    expect(entry.subject).toBe("res.partner,42");
    await removeErasureSubject(t.db, owner, entry.id);
  });
});
