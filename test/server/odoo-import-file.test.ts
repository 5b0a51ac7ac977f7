import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { serveDownload } from "@/server/downloads/serve-download";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createDownloadLink } from "@/server/services/download-links";
import { createImport } from "@/server/services/imports";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment, ENVIRONMENTS_ROOT, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { odooTableChecksums } from "../helpers/odoo-fixture";
import { createOdooClient, createOdooEnvironment, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let environment: Awaited<ReturnType<typeof createOdooEnvironment>>;
let original: Awaited<ReturnType<typeof odooState>>;
let files: string;
let httpServer: http.Server;
let baseUrl: string;
const plugins = builtinPluginHost();

/** Zips `entries` ([name in the zip, file on disk or bytes]) with Python's zipfile, as Odoo's `dump_db` does. */
function zip(target: string, entries: Array<[string, string]>): void {
  const script = "import sys, zipfile, json\nentries = json.loads(sys.argv[2])\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, allowZip64=True) as z:\n    for name, source in entries:\n        z.write(source, name) if source.startswith('/') else z.writestr(name, source)\n";
  execFileSync("python3", ["-c", script, target, JSON.stringify(entries)]);
}

function filestoreEntries(): Array<[string, string]> {
  const root = client.filestore();
  const out: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push([`filestore/${path.relative(root, full)}`, full]);
    }
  };
  walk(root);
  return out;
}

async function importAndWait(from: { kind: "url"; url: string } | { kind: "server"; path: string }, environmentId = environment.id) {
  const created = await createImport(t.db, plugins, owner, { environmentId, from, name: "", notes: "", retention: "monthly" });
  // Read back once the import is queued: the running worker may have taken it already.
  expect(created).toMatchObject({ type: "imported", status: expect.stringMatching(/^(pending|in_progress)$/) });
  return await waitForBackup(t.db, owner, created.id);
}

async function restoreAsNew(backupId: string, name: string, withFiles = true) {
  const database = `${client.database}_${name}`;
  const restore = await createRestore(t.db, plugins, owner, {
    backupId,
    target: "new_environment",
    newEnvironment: { projectId: setup.project.id, name, stage: "staging", serverId: setup.server.id, sourceConfig: { database } },
    safetyBackup: false,
    includeFilestore: true,
    neutralize: false,
    confirm: "RESTORE",
  });
  const done = await waitForRestore(t.db, owner, restore.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed" });
  return withFiles ? await odooState(client, database) : { tables: await odooTableChecksums(client.url(database)), files: {} };
}

/** The restored copy holds the original's tables (its identity parameters regenerated, as for any new environment). */
function expectSameTables(copy: Awaited<ReturnType<typeof odooState>>) {
  const { ir_config_parameter: configCopy, ...tablesCopy } = copy.tables;
  const { ir_config_parameter: configOriginal, ...tablesOriginal } = original.tables;
  expect(tablesCopy).toEqual(tablesOriginal);
  expect(configCopy!.count).toBe(configOriginal!.count);
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Imports"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  environment = await createOdooEnvironment(t.db, plugins, owner, setup, client);
  original = await odooState(client);
  files = fs.mkdtempSync(path.join(ENVIRONMENTS_ROOT, "import-files-"));
  const dump = path.join(files, "dump.sql");
  execFileSync("pg_dump", ["--no-owner", "--format=plain", "--file", dump, client.url()]);
  execFileSync("pg_dump", ["--no-owner", "--format=custom", "--file", path.join(files, "acme.dump"), client.url()]);
  fs.copyFileSync(dump, path.join(files, "acme.sql"));
  execFileSync("sh", ["-c", `gzip -c "${dump}" > "${path.join(files, "acme.sql.gz")}"`]);
  const manifest = JSON.stringify({ odoo_dump: "1", db_name: client.database, version: "17.0", version_info: [17, 0, 0, "final", 0, ""], major_version: "17.0", pg_version: "15.0", modules: { base: "17.0.1.3", web: "17.0.1.0" } });
  zip(path.join(files, "odoo.zip"), [["dump.sql", dump], ["manifest.json", manifest], ...filestoreEntries()]);
  // Not made by Odoo: the filestore first, dump.sql last, no manifest.
  zip(path.join(files, "other-host.zip"), [...filestoreEntries(), ["dump.sql", dump]]);
  zip(path.join(files, "no-dump.zip"), [["manifest.json", manifest], ...filestoreEntries()]);
  const whole = fs.readFileSync(path.join(files, "odoo.zip"));
  fs.writeFileSync(path.join(files, "broken.zip"), whole.subarray(0, Math.floor(whole.length / 2)));
  fs.writeFileSync(path.join(files, "not-a-dump.sql"), "create table t (id int);\ninsert into t values (1);\n");
  httpServer = http.createServer((req, res) => {
    // The console's own export links, served as its web process serves them: the round trip's source.
    if (req.url?.startsWith("/download/")) {
      void serveDownload(t.db, plugins, new Request(`${baseUrl}${req.url}`), req.url.slice("/download/".length)).then((response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) Readable.fromWeb(response.body as WebReadableStream).pipe(res);
        else res.end();
      });
      return;
    }
    const file = path.join(files, path.basename(decodeURIComponent(req.url ?? "")));
    if (req.url === "/moved") return void res.writeHead(302, { location: "/odoo.zip" }).end();
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  worker = await startTestWorker(t);
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  httpServer?.close();
  await client?.drop();
  if (files) fs.rmSync(files, { recursive: true, force: true });
  await t?.drop();
});

describe("importing files as backups", () => {
  it("imports an Odoo zip from a URL (after a redirect) with Odoo's manifest, and restores it with identical tables and filestore", async () => {
    const backup = await importAndWait({ kind: "url", url: `${baseUrl}/moved` });
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported", origin: "taken" });
    expect(backup.application).toMatchObject({ name: "Odoo", version: "17.0", major: "17" });
    expect(backup.artifacts.map((a) => a.kind).sort()).toEqual(["database", "filestore", "manifest"]);
    const copy = await restoreAsNew(backup.id, "fromzip");
    expectSameTables(copy);
    expect(copy.files).toEqual(original.files);
  });

  it("round trip: a backup exported as Odoo's zip through the console's own link, imported back, restores with identical tables and filestore", async () => {
    const created = await createBackup(t.db, owner, { environmentId: environment.id, name: "", notes: "", includeFilestore: true, retention: "monthly" });
    expect(await waitForBackup(t.db, owner, created.id)).toMatchObject({ status: "completed", verified: true });
    const link = await createDownloadLink(t.db, plugins, owner, { backupId: created.id, format: "odoo-zip" }, 900);
    const token = link.url.slice(link.url.indexOf("/download/") + "/download/".length);
    const backup = await importAndWait({ kind: "url", url: `${baseUrl}/download/${token}` });
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported" });
    expect(backup.application).toMatchObject({ name: "Odoo", major: "17" });
    const copy = await restoreAsNew(backup.id, "roundtrip");
    expectSameTables(copy);
    expect(copy.files).toEqual(original.files);
  });

  it("imports a zip whose dump.sql comes after its filestore, from a path on the environment's server", async () => {
    const backup = await importAndWait({ kind: "server", path: path.join(files, "other-host.zip") });
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported" });
    const copy = await restoreAsNew(backup.id, "otherhost");
    expectSameTables(copy);
    expect(copy.files).toEqual(original.files);
  });

  it.each([
    ["acme.sql", "plainsql"],
    ["acme.sql.gz", "gzipsql"],
    ["acme.dump", "customdump"],
  ])("imports %s (no filestore) and restores it with identical tables", async (file, name) => {
    const backup = await importAndWait({ kind: "url", url: `${baseUrl}/${file}` });
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported" });
    expect(backup.artifacts.map((a) => a.kind).sort()).toEqual(["database", "manifest"]);
    expectSameTables(await restoreAsNew(backup.id, name, false));
  });

  it("imports a custom-format dump into a PostgreSQL environment too, and refuses an Odoo zip there", async () => {
    const postgresEnvironment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "plain postgres");
    const backup = await importAndWait({ kind: "url", url: `${baseUrl}/acme.dump` }, postgresEnvironment.id);
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true, type: "imported" });
    const database = `${client.database}_pg`;
    const restore = await createRestore(t.db, plugins, owner, {
      backupId: backup.id,
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "pg copy", stage: "staging", serverId: setup.server.id, sourceConfig: { database } },
      safetyBackup: false,
      includeFilestore: false,
      neutralize: false,
      confirm: "RESTORE",
    });
    expect(await waitForRestore(t.db, owner, restore.id)).toMatchObject({ status: "completed" });
    expect(await odooTableChecksums(client.url(database))).toEqual(original.tables);
    const zipped = await importAndWait({ kind: "url", url: `${baseUrl}/odoo.zip` }, postgresEnvironment.id);
    expect(zipped).toMatchObject({ status: "failed", error: "The file is a zip, not a database dump: import a .sql, .sql.gz or .dump file from pg_dump" });
  });

  it.each([
    ["broken.zip", "The file is a truncated zip: it ends before the zip's closing directory"],
    ["no-dump.zip", "The zip has no dump.sql: it is not an Odoo backup (Odoo's database manager stores the database as dump.sql)"],
    ["not-a-dump.sql", 'The file is not a pg_dump dump: a plain-SQL dump begins with pg_dump\'s header comment, this one began with "create table t (id int);\\ninsert into t v"…'],
  ])("refuses %s with its documented message and keeps nothing of it", async (file, message) => {
    const backup = await importAndWait({ kind: "url", url: `${baseUrl}/${file}` });
    expect(backup).toMatchObject({ status: "failed", error: message, artifacts: [] });
    const stored = fs.readdirSync(setup.storageDir, { recursive: true }).filter((f) => String(f).includes(backup.id));
    expect(stored).toEqual([]);
  });

  it("refuses a server path outside the server's allowed folders, and a link-local URL, before recording anything", async () => {
    await expect(createImport(t.db, plugins, owner, { environmentId: environment.id, from: { kind: "server", path: "/etc/passwd" }, name: "", notes: "", retention: "monthly" })).rejects.toThrow(/allowed folders|outside/i);
    await expect(createImport(t.db, plugins, owner, { environmentId: environment.id, from: { kind: "url", url: "http://169.254.169.254/latest/dump.sql" }, name: "", notes: "", retention: "monthly" })).rejects.toThrow(/link-local/);
  });
});
