import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { pack as tarPack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManagedServer, PluginConfig, RestorePrepareOptions, SourceContribution } from "@/server/plugins/contracts";
import { silentLogger, type FileSetEntry } from "@safehold/plugin-api";
import { describeSourceContract } from "@safehold/plugin-testkit";
import { testOptions } from "@/server/plugins/call-context";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { copyDatabaseName, isMovedAsideDatabase } from "@safehold/postgres-tools";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { createOdooFixture, filestoreChecksums, odooTableChecksums, type OdooFixture } from "../helpers/odoo-fixture";
import { fillTrickyData, tableChecksums } from "../helpers/tricky-data";
import { artifactStream } from "@safehold/plugin-helpers";

type Client = Awaited<ReturnType<typeof createClientDatabase>>;
type OdooClient = { client: Client; dataDir: string; fixture: OdooFixture; config: PluginConfig; url: (database?: string) => string };

const host = new PluginHost(BUILTIN_PLUGINS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-odoo-test-"));
const clients: Client[] = [];
let server: ManagedServer;
let odoo: SourceContribution;
let main: OdooClient;
/** The main client's backup, as files: what the console would hand back, decompressed. */
let artifacts: { database: string; filestore: string };
let original: { tables: Awaited<ReturnType<typeof odooTableChecksums>>; files: Record<string, string> };

const NOTHING: RestorePrepareOptions = { newIdentity: false, neutralize: false, erasedSubjects: [] };

function clientUrl(client: Client, database = client.database): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${database}` });
  return url.toString();
}

async function newClient(): Promise<Client> {
  const client = await createClientDatabase({ createdb: true });
  clients.push(client);
  return client;
}

async function newOdooClient(): Promise<OdooClient> {
  const client = await newClient();
  const dataDir = fs.mkdtempSync(path.join(tmp, "data-"));
  const fixture = await createOdooFixture(clientUrl(client), dataDir, { partners: 200 });
  const config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, dataDir };
  return { client, dataDir, fixture, config, url: (database) => clientUrl(client, database) };
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return (await query(adminDatabaseUrl(), `select 1 from pg_database where datname = '${name.replace(/'/g, "''")}'`)).length > 0;
}

function signal(): AbortSignal {
  return new AbortController().signal;
}

/** Backs `who` up with the odoo source and writes each artifact to a file. */
async function backupToFiles(who: OdooClient, includeFilestore = true) {
  const backup = await odoo.backup({ config: who.config, server, includeFilestore, signal: signal(), log: silentLogger });
  const files: Record<string, string> = {};
  for await (const artifact of backup.artifacts) {
    files[artifact.kind] = path.join(fs.mkdtempSync(path.join(tmp, "artifact-")), artifact.kind);
    await pipeline(artifactStream(artifact), fs.createWriteStream(files[artifact.kind]!));
  }
  return { metadata: backup.metadata, files };
}

function restoreContext(config: PluginConfig, includeFiles = true) {
  const restoreId = randomUUID();
  return { context: { config, server, restoreId, includeFiles, targetIsNew: false, signal: signal(), log: silentLogger }, tag: restoreId.replace(/-/g, "").slice(0, 8) };
}

/** The whole staged restore of the main backup into `config`, as the console drives it. */
async function restoreMain(config: PluginConfig, options: RestorePrepareOptions) {
  const { context, tag } = restoreContext(config);
  const staged = await odoo.restore!(context);
  await staged.loadDatabase(fs.createReadStream(artifacts.database));
  await staged.loadFiles(fs.createReadStream(artifacts.filestore));
  const report = await staged.prepare(options);
  const copy = await staged.swap();
  return { report, copy, tag };
}

/** Streams `head`, then fails as a stream from storage does on a checksum mismatch. */
function failingStream(head: Buffer, message: string): Readable {
  const stream = new PassThrough();
  stream.write(head, () => setTimeout(() => stream.destroy(new Error(message)), 100));
  return stream;
}

function copyConfig(database: string): PluginConfig {
  return { ...main.config, database };
}

function listTree(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      found.push(full);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return found.sort();
}

beforeAll(async () => {
  // This host, with the test's temporary folder as the one folder environments may use.
  server = manageServer(await (await host.serverKind("local")).connect({}), { name: "this host", allowedRoots: [tmp], databasePattern: null, programs: {} });
  odoo = await host.source("odoo");
  main = await newOdooClient();
  original = { tables: await odooTableChecksums(main.url()), files: filestoreChecksums(main.fixture.filestore) };
  const backup = await backupToFiles(main);
  artifacts = { database: backup.files.database!, filestore: backup.files.filestore! };
});

afterAll(async () => {
  await server?.close();
  for (const client of clients) await client.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("odoo source: connection, backup, discovery", () => {
  it("tests the connection: an Odoo database with its filestore, not a plain database, not a missing filestore", async () => {
    const ok = await odoo.testConnection({ config: main.config, server, log: silentLogger }, testOptions());
    expect(ok).toMatchObject({ ok: true, details: { odooVersion: "17.0", filestore: main.fixture.filestore } });
    expect(ok.message).toMatch(new RegExp(`^Connected to Odoo 17\\.0, database "${main.client.database}" .*filestore at ${main.fixture.filestore}; pg_dump 15`));

    const plain = await newClient();
    const notOdoo = await odoo.testConnection({ config: { ...main.config, user: plain.user, password: plain.password, database: plain.database }, server, log: silentLogger }, testOptions());
    expect(notOdoo).toEqual({ ok: false, message: `Database "${plain.database}" is not an Odoo database: it has no ir_module_module table` });

    const emptyDataDir = fs.mkdtempSync(path.join(tmp, "empty-"));
    const noFiles = await odoo.testConnection({ config: { ...main.config, dataDir: emptyDataDir }, server, log: silentLogger }, testOptions());
    expect(noFiles.ok).toBe(false);
    expect(noFiles.message).toContain(`the filestore folder ${path.join(emptyDataDir, "filestore", main.client.database)} does not exist on the server`);
    expect(noFiles.message).toMatch(/dataDir.*filestorePath/);
  });

  it("backs up Odoo's manifest fields, the database as plain SQL and the filestore as a tar of every file", async () => {
    const backup = await odoo.backup({ config: main.config, server, includeFilestore: true, signal: signal(), log: silentLogger });
    const sizes = Object.keys(original.files).map((f) => fs.statSync(path.join(main.fixture.filestore, f)).size);
    expect(backup.metadata).toEqual({
      odoo_dump: "1",
      db_name: main.client.database,
      version: "17.0",
      version_info: [17, 0, 0, "final", 0, ""],
      major_version: "17.0",
      pg_version: expect.stringMatching(/^15\.\d+$/),
      modules: { account: "17.0.1.2", base: "17.0.1.3", contacts: "17.0.1.0", crm: "17.0.1.9", delivery: "17.0.1.0", hr: "17.0.1.1", mail: "17.0.1.15", payment: "17.0.2.0", sale: "17.0.1.2", web: "17.0.1.0" },
      filestoreFiles: sizes.length,
      filestoreBytes: sizes.reduce((a, b) => a + b, 0),
    });
    const kinds: string[] = [];
    for await (const artifact of backup.artifacts) {
      kinds.push(artifact.kind);
      artifactStream(artifact).resume();
      await new Promise((resolve, reject) => artifactStream(artifact).on("end", resolve).on("error", reject));
    }
    expect(kinds).toEqual(["database", "filestore"]);

    // The dump loads into a scratch database with psql, to the same tables.
    const scratch = `scratch_${randomUUID().slice(0, 8)}`;
    await query(adminDatabaseUrl(), `create database ${scratch}`);
    const scratchUrl = new URL(adminDatabaseUrl());
    scratchUrl.pathname = `/${scratch}`;
    try {
      execFileSync("psql", ["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-f", artifacts.database, scratchUrl.toString()], { stdio: ["ignore", "ignore", "pipe"] });
      expect(await odooTableChecksums(scratchUrl.toString())).toEqual(original.tables);
    } finally {
      await query(adminDatabaseUrl(), `drop database ${scratch} with (force)`);
    }
    const listed = execFileSync("tar", ["-tf", artifacts.filestore], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l && !l.endsWith("/"))
      .map((l) => l.replace(/^\.\//, ""));
    expect(listed.sort()).toEqual(Object.keys(original.files).sort());
    expect(listed).toContain(`checklist/${listed.find((l) => l.startsWith("checklist/"))!.slice("checklist/".length)}`);
  });

  it("hands the filestore over file by file when asked for objects: every file listed, each read to its exact bytes", async () => {
    const backup = await odoo.backup({ config: main.config, server, includeFilestore: true, fileLayout: "objects", signal: signal(), log: silentLogger });
    expect(backup.metadata).toMatchObject({ filestoreFiles: Object.keys(original.files).length });
    const kinds: string[] = [];
    for await (const artifact of backup.artifacts) {
      kinds.push(artifact.kind);
      if (!("files" in artifact)) {
        await pipeline(artifactStream(artifact), new PassThrough().resume());
        continue;
      }
      const listed: FileSetEntry[] = [];
      for await (const entry of artifact.files.list({ signal: signal() })) listed.push(entry);
      expect(listed.map((entry) => [entry.type, entry.path, "size" in entry && entry.size]).sort()).toEqual(
        Object.keys(original.files).map((file) => ["file", file, fs.statSync(path.join(main.fixture.filestore, file)).size]).sort(),
      );
      const read: Record<string, string> = {};
      for await (const content of artifact.files.read(listed.map((entry) => entry.path), { signal: signal() })) {
        const hash = createHash("sha256");
        for await (const chunk of content.stream) hash.update(chunk as Buffer);
        read[content.path] = hash.digest("hex");
      }
      expect(read).toEqual(original.files);
    }
    expect(kinds).toEqual(["database", "filestore"]);
  });

  it("refuses to back up with the filestore when its folder is missing, before streaming anything", async () => {
    const emptyDataDir = fs.mkdtempSync(path.join(tmp, "empty-"));
    const config = { ...main.config, dataDir: emptyDataDir };
    await expect(odoo.backup({ config, server, includeFilestore: true, signal: signal(), log: silentLogger })).rejects.toThrow(
      `Cannot back up the filestore: the filestore folder ${path.join(emptyDataDir, "filestore", main.client.database)} does not exist on the server`,
    );
    const databaseOnly = await backupToFiles({ ...main, config }, false);
    expect(Object.keys(databaseOnly.files)).toEqual(["database"]);
    expect(databaseOnly.metadata).not.toHaveProperty("filestoreFiles");
  });

  it("discovers the Odoo databases the user can open, with their version and size, and not the plain ones", async () => {
    const plain = await newClient();
    const { database: _, ...connection } = main.config;
    const found = await odoo.discover!({ config: connection, server, log: silentLogger });
    expect(found).toContainEqual({ name: main.client.database, config: { database: main.client.database }, version: "17.0", sizeBytes: expect.any(Number) });
    expect(found.find((d) => d.name === main.client.database)!.sizeBytes).toBeGreaterThan(1_000_000);
    expect(found.map((d) => d.name)).not.toContain(plain.database);
    expect(found.map((d) => d.name)).not.toContain("postgres");
  });
});

describe("odoo source: staged restore", () => {
  it("restores into a new database and filestore: identical tables and files, no previous copy, nothing left beside", async () => {
    const database = `${main.client.database}_copy`;
    const { report, copy, tag } = await restoreMain(copyConfig(database), NOTHING);
    expect(report).toEqual({ identityRegenerated: false, neutralized: [], erasedRecords: 0 });
    expect(copy).toBeNull();
    expect(await odooTableChecksums(main.url(database))).toEqual(original.tables);
    const filestore = path.join(main.dataDir, "filestore", database);
    expect(filestoreChecksums(filestore)).toEqual(original.files);
    expect(await databaseExists(`${database}_restore_${tag}`)).toBe(false);
    expect(fs.existsSync(`${filestore}.restore-${tag}`)).toBe(false);
    // The source environment is untouched.
    expect(await odooTableChecksums(main.url())).toEqual(original.tables);
  });

  it("restores over the original: the old data moves aside, and discardPreviousCopy removes only that", async () => {
    const own = await newOdooClient();
    const before = { tables: await odooTableChecksums(own.url()), files: filestoreChecksums(own.fixture.filestore) };
    const backup = await backupToFiles(own);
    // Changes made after the backup: the restore replaces them, the moved-aside copy keeps them.
    await query(own.url(), `insert into res_partner (name, email) values ('Added after the backup', 'late@example.com')`);
    fs.mkdirSync(path.join(own.fixture.filestore, "zz"));
    fs.writeFileSync(path.join(own.fixture.filestore, "zz", "late-file"), "written after the backup");

    const { context, tag } = restoreContext(own.config);
    const staged = await odoo.restore!(context);
    await staged.loadDatabase(fs.createReadStream(backup.files.database!));
    await staged.loadFiles(fs.createReadStream(backup.files.filestore!));
    expect(await staged.prepare(NOTHING)).toEqual({ identityRegenerated: false, neutralized: [], erasedRecords: 0 });
    const copy = await staged.swap();
    const asideDatabase = `${own.client.database}_before_${tag}`;
    const asideFolder = `${own.fixture.filestore}.before-${tag}`;
    expect(copy).toEqual({ description: `database "${asideDatabase}" and filestore folder "${asideFolder}"`, database: asideDatabase, filestorePath: asideFolder });
    await staged.discard(); // after the swap: a no-op that must not touch the new target

    expect(await odooTableChecksums(own.url())).toEqual(before.tables);
    expect(filestoreChecksums(own.fixture.filestore)).toEqual(before.files);
    expect(await query(own.url(asideDatabase), `select name from res_partner where email = 'late@example.com'`)).toEqual([{ name: "Added after the backup" }]);
    expect(fs.readFileSync(path.join(asideFolder, "zz", "late-file"), "utf8")).toBe("written after the backup");

    // Never live data: the environment's own database or folder, or another environment's copy, are refused.
    const context2 = { config: own.config, server, log: silentLogger };
    await expect(odoo.discardPreviousCopy!(context2, { description: "live", database: own.client.database })).rejects.toThrow(/Refusing to drop database/);
    await expect(odoo.discardPreviousCopy!(context2, { description: "live", filestorePath: own.fixture.filestore })).rejects.toThrow(/Refusing to remove folder/);
    await expect(odoo.discardPreviousCopy!(context2, { description: "other", database: `${main.client.database}_before_${tag}` })).rejects.toThrow(/Refusing/);
    await expect(odoo.discardPreviousCopy!(context2, { ...copy!, filestorePath: `${own.fixture.filestore}.before-${tag}/..` })).rejects.toThrow(/Refusing to remove folder/);
    expect(await databaseExists(own.client.database)).toBe(true);
    expect(await databaseExists(asideDatabase)).toBe(true);

    await odoo.discardPreviousCopy!(context2, copy!);
    expect(await databaseExists(asideDatabase)).toBe(false);
    expect(fs.existsSync(asideFolder)).toBe(false);
    await odoo.discardPreviousCopy!(context2, copy!); // idempotent
    expect(await odooTableChecksums(own.url())).toEqual(before.tables);
  });

  it("puts everything back when the swap fails half-way", async () => {
    const database = `${main.client.database}_swapfail`;
    await restoreMain(copyConfig(database), NOTHING);
    const filestore = path.join(main.dataDir, "filestore", database);
    const { context, tag } = restoreContext(copyConfig(database));
    const staged = await odoo.restore!(context);
    await staged.loadDatabase(fs.createReadStream(artifacts.database));
    await staged.loadFiles(fs.createReadStream(artifacts.filestore));
    await staged.prepare({ newIdentity: true, neutralize: true, erasedSubjects: [] });
    // The name the target's database would move to is taken: the files were already swapped, the database cannot be.
    await query(adminDatabaseUrl(), `create database ${database}_before_${tag}`);
    await expect(staged.swap()).rejects.toThrow(`Cannot rename database "${database}" to "${database}_before_${tag}"`);
    expect(await odooTableChecksums(main.url(database))).toEqual(original.tables);
    expect(filestoreChecksums(filestore)).toEqual(original.files);
    expect(fs.existsSync(`${filestore}.before-${tag}`)).toBe(false);
    await staged.discard();
    expect(fs.existsSync(`${filestore}.restore-${tag}`)).toBe(false);
    expect(await databaseExists(`${database}_restore_${tag}`)).toBe(false);
    await query(adminDatabaseUrl(), `drop database ${database}_before_${tag}`);
  });

  it("gives a copy its own identity and neutralizes it as Odoo does", async () => {
    const database = `${main.client.database}_neutral`;
    const { report } = await restoreMain(copyConfig(database), { newIdentity: true, neutralize: true, erasedSubjects: [] });
    expect(report.identityRegenerated).toBe(true);
    expect(report.erasedRecords).toBe(0);
    expect(report.neutralized).toEqual([
      "2 outgoing mail servers deactivated; outgoing mail goes to a dummy server",
      "1 incoming mail server deactivated",
      "2 scheduled actions deactivated (the autovacuum job kept)",
      "2 live payment providers disabled",
      "2 shipping carriers switched to test mode, 2 external carriers deactivated",
      "3 email templates no longer tied to a mail server",
      "1 webhook action disabled",
      "database marked as neutralized",
      "neutralization banner shown",
    ]);
    const url = main.url(database);
    const params = Object.fromEntries((await query<{ key: string; value: string }>(url, "select key, value from ir_config_parameter")).map((r) => [r.key, r.value]));
    const originalParams = Object.fromEntries((await query<{ key: string; value: string }>(main.url(), "select key, value from ir_config_parameter")).map((r) => [r.key, r.value]));
    expect(params["database.uuid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(params["database.uuid"]).not.toBe(originalParams["database.uuid"]);
    expect(params["database.secret"]).not.toBe(originalParams["database.secret"]);
    expect(params["database.create_date"]).not.toBe(originalParams["database.create_date"]);
    expect(params["database.is_neutralized"]).toBe("true");
    expect(params["web.base.url"]).toBe(originalParams["web.base.url"]);

    expect(await query(url, "select name, smtp_host, smtp_port, smtp_encryption, smtp_authentication from ir_mail_server where active")).toEqual([
      { name: "neutralization - disable emails", smtp_host: "invalid", smtp_port: 1025, smtp_encryption: "none", smtp_authentication: "login" },
    ]);
    expect(await query(url, "select count(*)::int as n from fetchmail_server where active")).toEqual([{ n: 0 }]);
    expect(await query(url, "select cron_name from ir_cron where active")).toEqual([{ cron_name: "Base: Auto-vacuum internal data" }]);
    expect(await query(url, "select code from payment_provider where state not in ('test', 'disabled')")).toEqual([]);
    expect(await query(url, "select code, state from payment_provider where code = 'paypal'")).toEqual([{ code: "paypal", state: "test" }]);
    expect(await query(url, "select delivery_type, active from delivery_carrier where prod_environment or active order by id")).toEqual([
      { delivery_type: "fixed", active: true },
      { delivery_type: "base_on_rule", active: true },
    ]);
    expect(await query(url, "select count(*)::int as n from mail_template where mail_server_id is not null")).toEqual([{ n: 0 }]);
    expect(await query(url, "select webhook_url from ir_act_server where state = 'webhook'")).toEqual([{ webhook_url: "neutralization - disable webhook" }]);
    expect(await query(url, "select active from ir_ui_view where key = 'web.neutralize_banner'")).toEqual([{ active: true }]);
    // Everything else is the backup's data.
    const { ir_config_parameter: _p, ir_mail_server: _m, fetchmail_server: _f, ir_cron: _c, payment_provider: _pp, delivery_carrier: _d, mail_template: _t, ir_act_server: _a, ir_ui_view: _v, "sequence ir_mail_server_id_seq": _s, "sequence ir_config_parameter_id_seq": _q, ...rest } =
      await odooTableChecksums(url);
    const { ir_config_parameter: _p2, ir_mail_server: _m2, fetchmail_server: _f2, ir_cron: _c2, payment_provider: _pp2, delivery_carrier: _d2, mail_template: _t2, ir_act_server: _a2, ir_ui_view: _v2, "sequence ir_mail_server_id_seq": _s2, "sequence ir_config_parameter_id_seq": _q2, ...originalRest } =
      original.tables;
    expect(rest).toEqual(originalRest);
  });

  it("re-applies erasure: the subject's user, contact and messages are anonymised and counted", async () => {
    const database = `${main.client.database}_erased`;
    const { report } = await restoreMain(copyConfig(database), { newIdentity: false, neutralize: false, erasedSubjects: [main.fixture.subject.email] });
    expect(report).toEqual({ identityRegenerated: false, neutralized: [], erasedRecords: main.fixture.subject.records });
    const url = main.url(database);
    expect(await query(url, "select login, active from res_users where id = 3")).toEqual([{ login: "erased-3@invalid", active: false }]);
    expect(await query(url, "select name, complete_name, email, email_normalized, phone, mobile, street, city, zip, vat, website, comment from res_partner where id = 4")).toEqual([
      { name: "Erased contact", complete_name: "Erased contact", email: null, email_normalized: null, phone: null, mobile: null, street: null, city: null, zip: null, vat: null, website: null, comment: null },
    ]);
    expect(await query(url, "select count(*)::int as n from mail_message where lower(email_from) like '%jane.erasure@example.org%' and email_from not like 'jojane%'")).toEqual([{ n: 0 }]);
    // A longer address that contains the erased one is someone else.
    expect(await query(url, "select name, email from res_partner where id = 5")).toEqual([{ name: "Jo Ann Keep", email: "jojane.erasure@example.org" }]);
    expect(await query(url, "select count(*)::int as n from mail_message where email_from = 'jojane.erasure@example.org'")).toEqual([{ n: 1 }]);
  });

  it("rejects an invalid, truncated or failing SQL stream, and discard leaves nothing behind", async () => {
    const database = `${main.client.database}_broken`;
    const dump = fs.readFileSync(artifacts.database);
    const trailer = "--\n-- PostgreSQL database dump complete\n--\n\n";
    const cases: Array<[() => Readable, RegExp]> = [
      [() => Readable.from([Buffer.from(`--\n-- PostgreSQL database dump\n--\n\ncreate table fine (id int);\nthis is not sql;\n${trailer}`)]), /^psql failed loading the database: ERROR: syntax error at or near "this" \(dump line 6\)$/],
      [() => Readable.from([Buffer.from(`create table fine (id int);\n${trailer}`)]), /^The database dump is not a pg_dump plain-SQL dump \(it begins with "create table fine \(id int\);\\n--\\n-- Postgr"…\)$/],
      [() => Readable.from([dump.subarray(0, Math.floor(dump.length / 2))]), /psql failed loading the database|The database dump is incomplete/],
      [() => Readable.from([dump.subarray(0, dump.lastIndexOf("CREATE INDEX"))]), /^The database dump is incomplete: it does not end with pg_dump's "dump complete" line$/],
      [() => failingStream(dump.subarray(0, 100_000), "Checksum mismatch: the stored database file is not what was written"), /^Checksum mismatch: the stored database file is not what was written$/],
    ];
    for (const [content, message] of cases) {
      const { context, tag } = restoreContext(copyConfig(database));
      const staged = await odoo.restore!(context);
      await expect(staged.loadDatabase(content())).rejects.toThrow(message);
      expect(await databaseExists(`${database}_restore_${tag}`)).toBe(true);
      await staged.discard();
      await staged.discard();
      expect(await databaseExists(`${database}_restore_${tag}`)).toBe(false);
      expect(await databaseExists(database)).toBe(false);
    }
    expect(fs.readdirSync(path.join(main.dataDir, "filestore"))).not.toContainEqual(expect.stringContaining(database));
  });

  it("rejects a failing files stream and removes the staging folder on discard", async () => {
    const database = `${main.client.database}_broken_files`;
    const { context, tag } = restoreContext(copyConfig(database));
    const staged = await odoo.restore!(context);
    const archive = fs.readFileSync(artifacts.filestore);
    const failing = failingStream(archive.subarray(0, 1_000_000), "The filestore archive is truncated");
    await expect(staged.loadFiles(failing)).rejects.toThrow("The filestore archive is truncated");
    await expect(staged.loadFiles(Readable.from([archive.subarray(0, 1_000_000)]))).rejects.toThrow(/not a valid tar archive: Unexpected end of data/);
    const staging = path.join(main.dataDir, "filestore", `${database}.restore-${tag}`);
    expect(fs.existsSync(staging)).toBe(true);
    await staged.discard();
    expect(fs.existsSync(staging)).toBe(false);
    expect(fs.existsSync(path.join(main.dataDir, "filestore", database))).toBe(false);
  });
});

type Entry = { name: string; type?: "file" | "directory" | "symlink" | "link" | "character-device" | "fifo"; linkname?: string; content?: string };

function archive(entries: Entry[]): Readable {
  const pack = tarPack();
  for (const { name, type = "file", linkname, content = "" } of entries) pack.entry({ name, type, linkname, mode: 0o644 }, type === "file" ? content : "");
  pack.finalize();
  return Readable.from(pack);
}

describe("odoo source: unsafe filestore archives", () => {
  it("refuses absolute paths, '..', escaping links, devices and fifos before anything is written outside the staging folder", async () => {
    const root = fs.mkdtempSync(path.join(tmp, "slip-"));
    const dataDir = path.join(root, "data");
    const outside = path.join(root, "outside");
    fs.mkdirSync(outside);
    const marker = `safehold-tar-slip-${randomUUID().slice(0, 8)}`;
    const config = { ...main.config, database: "slip_target", dataDir };
    const cases: Array<[Entry[], string]> = [
      [[{ name: "ok.txt", content: "fine" }, { name: "../evil", content: "x" }], 'unsafe entry "../evil" (its path leaves the folder through "..")'],
      [[{ name: "ab/../../evil", content: "x" }], 'unsafe entry "ab/../../evil" (its path leaves the folder through "..")'],
      [[{ name: `${outside}/abs`, content: "x" }], `unsafe entry "${outside}/abs" (its path is an absolute path)`],
      [[{ name: "etc", type: "symlink", linkname: "/etc" }, { name: `etc/${marker}`, content: "x" }], 'unsafe entry "etc" (it is a symbolic link to the absolute path "/etc")'],
      [[{ name: "out", type: "symlink", linkname: outside }, { name: "out/abs", content: "x" }], `unsafe entry "out" (it is a symbolic link to the absolute path "${outside}")`],
      [[{ name: "ab/up", type: "symlink", linkname: "../../.." }, { name: "ab/up/evil", content: "x" }], 'unsafe entry "ab/up" (it is a symbolic link to "../../..", outside the folder)'],
      [[{ name: "inside", type: "symlink", linkname: "ab" }, { name: "inside/evil", content: "x" }], 'unsafe entry "inside/evil" (its path goes through the symbolic link "inside")'],
      [[{ name: "x", type: "symlink", linkname: "y/.." }, { name: "y", type: "symlink", linkname: "." }], 'unsafe entry "x" (it is a symbolic link to "y/..", outside the folder)'],
      [[{ name: "hard", type: "link", linkname: "../../outside/abs" }], 'unsafe entry "hard" (the file it links to leaves the folder through "..")'],
      [[{ name: "hard", type: "link", linkname: "/etc/passwd" }], 'unsafe entry "hard" (the file it links to is an absolute path)'],
      [[{ name: "l", type: "symlink", linkname: "ab" }, { name: "hard", type: "link", linkname: "l" }], 'unsafe entry "hard" (it is a hard link through the symbolic link "l")'],
      [[{ name: "tty", type: "character-device" }], 'unsafe entry "tty" (it is a character device)'],
      [[{ name: "pipe", type: "fifo" }], 'unsafe entry "pipe" (it is a fifo)'],
    ];
    for (const [entries, message] of cases) {
      const before = listTree(root);
      const { context, tag } = restoreContext(config);
      const staged = await odoo.restore!(context);
      await expect(staged.loadFiles(archive(entries)), message).rejects.toThrow(`The filestore archive contains an ${message}: refusing to extract it`);
      const staging = path.join(dataDir, "filestore", `slip_target.restore-${tag}`);
      // Whatever was extracted stayed inside the staging folder (its parents are created by the restore).
      const created = listTree(root).filter((p) => !before.includes(p) && p !== dataDir && p !== path.join(dataDir, "filestore"));
      expect(created.filter((p) => p !== staging && !p.startsWith(`${staging}/`))).toEqual([]);
      await staged.discard();
      expect(fs.existsSync(staging)).toBe(false);
    }
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(root, "evil"))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "evil"))).toBe(false);
    expect(fs.existsSync(`/etc/${marker}`)).toBe(false);
  });

  it("extracts links that stay inside the folder", async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, "links-"));
    const { context, tag } = restoreContext({ ...main.config, database: "links_target", dataDir });
    const staged = await odoo.restore!(context);
    await staged.loadFiles(
      archive([
        { name: "./", type: "directory" },
        { name: "./ab/", type: "directory" },
        { name: "./ab/file", content: "content" },
        { name: "./ab/link", type: "symlink", linkname: "file" },
        { name: "./cd/up", type: "symlink", linkname: "../ab/file" },
        { name: "./hard", type: "link", linkname: "./ab/file" },
      ]),
    );
    const staging = path.join(dataDir, "filestore", `links_target.restore-${tag}`);
    expect(fs.readFileSync(path.join(staging, "ab/link"), "utf8")).toBe("content");
    expect(fs.readFileSync(path.join(staging, "cd/up"), "utf8")).toBe("content");
    expect(fs.readFileSync(path.join(staging, "hard"), "utf8")).toBe("content");
    await staged.discard();
    expect(fs.existsSync(staging)).toBe(false);
  });
});

describe("postgres source: restore", () => {
  it("restores a database over itself through a fresh copy, and drops the moved-aside copy on request", async () => {
    const postgresSource = await host.source("postgres");
    const client = await newClient();
    const url = clientUrl(client);
    await fillTrickyData(url, 5000);
    const before = await tableChecksums(url);
    const config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database };
    const backup = await postgresSource.backup({ config, server, includeFilestore: true, signal: signal(), log: silentLogger });
    const dump = path.join(tmp, `${client.database}.sql`);
    for await (const artifact of backup.artifacts) await pipeline(artifactStream(artifact), fs.createWriteStream(dump));
    await query(url, "delete from many where id > 100; insert into texts (t) values ('after the backup')");

    const { context, tag } = restoreContext(config, false);
    const staged = await postgresSource.restore!(context);
    await expect(staged.loadFiles(Readable.from([]))).rejects.toThrow("PostgreSQL backups have no files to restore");
    await staged.loadDatabase(fs.createReadStream(dump));
    expect(await staged.prepare({ newIdentity: true, neutralize: true, erasedSubjects: [] })).toEqual({ identityRegenerated: false, neutralized: [], erasedRecords: 0 });
    const copy = await staged.swap();
    const aside = `${client.database}_before_${tag}`;
    expect(copy).toEqual({ description: `database "${aside}"`, database: aside });
    expect(await tableChecksums(url)).toEqual(before);
    expect(await query(clientUrl(client, aside), "select count(*)::int as n from many")).toEqual([{ n: 100 }]);

    await expect(postgresSource.discardPreviousCopy!({ config, server, log: silentLogger }, { description: "live", database: client.database })).rejects.toThrow(
      `Refusing to drop database "${client.database}": it is not a copy of "${client.database}" that a restore moved aside`,
    );
    await postgresSource.discardPreviousCopy!({ config, server, log: silentLogger }, copy!);
    expect(await databaseExists(aside)).toBe(false);
    expect(await databaseExists(client.database)).toBe(true);
  });

  it("names its copies within PostgreSQL's 63-byte limit, and recognises only its own moved-aside copies", () => {
    const long = `é${"x".repeat(70)}`;
    for (const marker of ["restore", "before"] as const) {
      const name = copyDatabaseName(long, marker, "1a2b3c4d");
      expect(name.endsWith(`_${marker}_1a2b3c4d`)).toBe(true);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
      expect(long.startsWith(name.slice(0, -`_${marker}_1a2b3c4d`.length))).toBe(true);
    }
    expect(copyDatabaseName("odoo", "before", "1a2b3c4d")).toBe("odoo_before_1a2b3c4d");
    expect(isMovedAsideDatabase(long, copyDatabaseName(long, "before", "1a2b3c4d"))).toBe(true);
    expect(isMovedAsideDatabase("odoo", "odoo")).toBe(false);
    expect(isMovedAsideDatabase("odoo", "odoo_restore_1a2b3c4d")).toBe(false);
    expect(isMovedAsideDatabase("odoo", "odoo_before_1a2b3c4d_x")).toBe(false);
    expect(isMovedAsideDatabase("odoo", "odoo2_before_1a2b3c4d")).toBe(false);
  });

  it("refuses to hand back a copy when erasure rules apply, and discards it", async () => {
    const postgresSource = await host.source("postgres");
    const client = await newClient();
    await fillTrickyData(clientUrl(client), 100);
    const config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database };
    const backup = await postgresSource.backup({ config, server, includeFilestore: false, signal: signal(), log: silentLogger });
    const target = { ...config, database: `${client.database}_copy` };
    const { context, tag } = restoreContext(target, false);
    const staged = await postgresSource.restore!(context);
    for await (const artifact of backup.artifacts) await staged.loadDatabase(artifactStream(artifact));
    await expect(staged.prepare({ newIdentity: false, neutralize: false, erasedSubjects: ["jane@example.org"] })).rejects.toThrow(
      /^Erasure rules cannot be applied to a plain PostgreSQL database: Safehold does not know which tables hold personal data/,
    );
    await staged.discard();
    expect(await databaseExists(`${target.database}_restore_${tag}`)).toBe(false);
    expect(await databaseExists(target.database)).toBe(false);
  });
});

// The testkit's source contract for both built-in sources, through the console's host.
describeSourceContract("odoo", {
  source: () => host.source("odoo"),
  context: () => ({ config: main.config, server }),
  capabilities: ["restore", "discover"],
  includeFilestore: true,
});
describeSourceContract("postgres", {
  source: () => host.source("postgres"),
  context: async () => {
    const client = await newClient();
    return { config: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database }, server };
  },
  capabilities: ["restore"],
});
