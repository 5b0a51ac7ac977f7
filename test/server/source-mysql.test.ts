import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ManagedServer, PluginConfig, RestorePrepareOptions, SourceContribution } from "@/server/plugins/contracts";
import { silentLogger } from "@safehold/plugin-api";
import { describeSourceContract } from "@safehold/plugin-testkit";
import { isTransientFailure } from "@/server/jobs/transient-failure";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { startMariaDb, type MariaDb } from "../helpers/mariadb";
import { asUser, createCrmDatabase, databaseExists, schemaDefinitions, tableChecksums } from "../helpers/mysql-fixture";
import { freePort } from "../helpers/ports";
import { artifactStream } from "@safehold/plugin-helpers";

const BIG_ROWS = 1_000_000;
const NOTHING: RestorePrepareOptions = { newIdentity: false, neutralize: false, erasedSubjects: [] };

const host = new PluginHost(BUILTIN_PLUGINS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-mysql-test-"));
let maria: MariaDb;
let connection: Awaited<ReturnType<Awaited<ReturnType<PluginHost["serverKind"]>>["connect"]>>;
let server: ManagedServer;
let mysql: SourceContribution;
let config: PluginConfig;
let uploads: string;
/** The main database's backup, as files: what the console would hand back, decompressed. */
let artifacts: { database: string; filestore: string };
let metadata: Record<string, unknown>;
let original: { tables: Record<string, string>; schema: Record<string, string[]> };

function signal(): AbortSignal {
  return new AbortController().signal;
}

function configFor(database: string, extra: PluginConfig = {}): PluginConfig {
  return { host: maria.host, port: maria.port, user: maria.user, password: maria.password, database, ...extra };
}

/** The local server under the rules an admin set: the test folder as the one allowed folder, some programs mapped. */
function managed(programs: Record<string, string> = {}): ManagedServer {
  return manageServer(connection, { name: "this host", allowedRoots: [tmp], databasePattern: null, programs });
}

async function backupToFiles(cfg: PluginConfig, includeFilestore = true) {
  const backup = await mysql.backup({ config: cfg, server, includeFilestore, signal: signal(), log: silentLogger });
  const files: Record<string, string> = {};
  for await (const artifact of backup.artifacts) {
    files[artifact.kind] = path.join(fs.mkdtempSync(path.join(tmp, "artifact-")), artifact.kind);
    await pipeline(artifactStream(artifact), fs.createWriteStream(files[artifact.kind]!));
  }
  return { metadata: backup.metadata, files };
}

function restoreContext(cfg: PluginConfig, options: { includeFiles?: boolean; targetIsNew?: boolean; on?: ManagedServer } = {}) {
  const restoreId = randomUUID();
  const context = { config: cfg, server: options.on ?? server, restoreId, includeFiles: options.includeFiles ?? false, targetIsNew: options.targetIsNew ?? false, signal: signal(), log: silentLogger };
  return { context, tag: restoreId.replace(/-/g, "").slice(0, 8) };
}

function listTree(root: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else found[path.relative(root, full)] = fs.readFileSync(full).toString("base64").slice(0, 64);
    }
  };
  walk(root);
  return found;
}

beforeAll(async () => {
  maria = await startMariaDb();
  connection = await (await host.serverKind("local")).connect({});
  server = managed();
  mysql = await host.source("mysql");
  const started = Date.now();
  createCrmDatabase(maria, "crm_main", { bigRows: BIG_ROWS });
  console.log(`[source-mysql] fixture database with ${BIG_ROWS} rows made in ${Date.now() - started} ms`);
  uploads = path.join(tmp, "crm", "upload");
  fs.mkdirSync(path.join(uploads, "contacts", "7"), { recursive: true });
  fs.writeFileSync(path.join(uploads, "contacts", "7", "photo 👋.jpg"), Buffer.from("not really a jpeg"));
  fs.writeFileSync(path.join(uploads, "readme.txt"), "uploads\n");
  config = configFor("crm_main", { uploadsDir: uploads });
  original = { tables: tableChecksums(maria, "crm_main"), schema: schemaDefinitions(maria, "crm_main") };
  const backup = await backupToFiles(config);
  artifacts = { database: backup.files.database!, filestore: backup.files.filestore! };
  metadata = backup.metadata;
}, 300_000);

afterAll(async () => {
  await connection?.close();
  await maria?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("mysql source: connection, backup, discovery", () => {
  it("tests the connection", async () => {
    const ok = await mysql.testConnection({ config, server, log: silentLogger }, { signal: signal() });
    expect(ok.ok).toBe(true);
    expect(ok.message).toMatch(/^Connected to MariaDB 10\.\d+\.\d+, database "crm_main" \([\d.]+ MB\); uploads at .*crm\/upload; mariadb-dump 10\.\d+\.\d+ is available$/);
  });

  it("says in one line what is wrong: port closed, wrong password, missing database, tools missing", async () => {
    const closed = await freePort();
    const messages = {
      portClosed: (await mysql.testConnection({ config: { ...config, port: closed }, server, log: silentLogger }, { signal: signal() })).message,
      wrongPassword: (await mysql.testConnection({ config: { ...config, password: "wrong" }, server, log: silentLogger }, { signal: signal() })).message,
      missingDatabase: (await mysql.testConnection({ config: configFor("crm_nothing_here"), server, log: silentLogger }, { signal: signal() })).message,
      dumpMissing: (await mysql.testConnection({ config, server: managed({ "mariadb-dump": "/nonexistent/mariadb-dump", mysqldump: "/nonexistent/mysqldump" }), log: silentLogger }, { signal: signal() })).message,
      clientMissing: (await mysql.testConnection({ config, server: managed({ mariadb: "/nonexistent/mariadb", mysql: "/nonexistent/mysql" }), log: silentLogger }, { signal: signal() })).message,
    };
    expect(messages).toEqual({
      portClosed: `Cannot connect to MySQL/MariaDB at 127.0.0.1:${closed} from the server: nothing is listening there, or the host cannot be reached`,
      wrongPassword: `Authentication failed for user "${maria.user}": wrong password (or the user may not connect from the server)`,
      missingDatabase: `Database "crm_nothing_here" does not exist on 127.0.0.1:${maria.port}`,
      dumpMissing: expect.stringMatching(
        /^Connected to MariaDB [\d.]+, database "crm_main" \(.*\), but neither mariadb-dump nor mysqldump can be run on the server: install the MariaDB client tools on the server \(Debian\/Ubuntu: apt install mariadb-client\), or set the path of mariadb-dump in the server's settings$/,
      ),
      clientMissing: "Neither mariadb nor mysql can be run on the server: install the MariaDB client tools on the server (Debian/Ubuntu: apt install mariadb-client), or set the path of mariadb in the server's settings",
    });
    for (const message of Object.values(messages)) expect(message).not.toContain("\n");
    // A backup fails with the same line before anything is streamed.
    await expect(mysql.backup({ config: { ...config, password: "wrong" }, server, includeFilestore: true, signal: signal(), log: silentLogger })).rejects.toThrow(messages.wrongPassword);
  });

  it("fails a backup so the console retries a server that is down, and not a wrong password or a missing database", async () => {
    const failure = (cfg: PluginConfig) => mysql.backup({ config: cfg, server, includeFilestore: false, signal: signal(), log: silentLogger }).then(() => expect.unreachable(), (err: unknown) => err);
    const down = await failure({ ...config, port: await freePort() });
    // The console keeps what the plugin said about trying again on its own error.
    expect(down).toMatchObject({ retryable: true, message: expect.stringMatching(/^Cannot connect to MySQL\/MariaDB at/) });
    expect(isTransientFailure("source", down)).toBe(true);
    const refused = await failure({ ...config, password: "wrong" });
    expect(refused).toMatchObject({ retryable: false, message: expect.stringMatching(/^Authentication failed/) });
    expect(isTransientFailure("source", refused)).toBe(false);
    const missing = await failure(configFor("crm_nothing_here"));
    expect(missing).toMatchObject({ retryable: false, message: expect.stringMatching(/^Database "crm_nothing_here" does not exist/) });
    expect(isTransientFailure("source", missing)).toBe(false);
  });

  it("backs up the database as plain SQL and the uploads folder as a tar, with the server's version in the metadata", async () => {
    expect(metadata).toMatchObject({ engine: "mariadb", flavour: "MariaDB", database: "crm_main", dumpTool: "mariadb-dump", characterSet: "utf8mb4", uploadsFiles: 2 });
    expect(maria.version.startsWith(String(metadata.serverVersion))).toBe(true);
    const head = fs.readFileSync(artifacts.database).subarray(0, 600).toString("utf8");
    expect(head).toMatch(/^-- MariaDB dump /m);
    const text = fs.readFileSync(artifacts.database, "utf8");
    expect(text).toContain("CREATE TABLE `llx_socpeople`");
    expect(text).toContain("Grüße 👋🏽 from Zoë");
    expect(text).toMatch(/-- Dump completed on .*\n$/);
    expect(fs.statSync(artifacts.filestore).size).toBeGreaterThan(1024);
  });

  it("discovers the databases the user can see, not the server's own", async () => {
    const found = await mysql.discover!({ config: configFor(""), server, log: silentLogger });
    const names = found.map((f) => f.name);
    expect(names).toContain("crm_main");
    for (const system of ["mysql", "information_schema", "performance_schema", "sys"]) expect(names).not.toContain(system);
    expect(found.find((f) => f.name === "crm_main")).toMatchObject({ config: { database: "crm_main" }, sizeBytes: expect.any(Number) });
    expect(found.find((f) => f.name === "crm_main")!.sizeBytes).toBeGreaterThan(10_000_000);
    const narrow = manageServer(connection, { name: "this host", allowedRoots: [tmp], databasePattern: "crm_other*", programs: {} });
    expect((await mysql.discover!({ config: configFor(""), server: narrow, log: silentLogger })).map((f) => f.name)).not.toContain("crm_main");
  });
});

describe("mysql source: restore", () => {
  it("restores into a new database: identical tables, views, triggers, routines and events, and the uploads", async () => {
    const target = path.join(tmp, "crm-copy", "upload");
    const { context } = restoreContext(configFor("crm_copy", { uploadsDir: target }), { includeFiles: true, targetIsNew: true });
    const staged = await mysql.restore!(context);
    await staged.loadDatabase(fs.createReadStream(artifacts.database));
    await staged.loadFiles(fs.createReadStream(artifacts.filestore));
    expect(await staged.prepare(NOTHING)).toEqual({ identityRegenerated: false, neutralized: [], erasedRecords: 0 });
    expect(await staged.swap()).toBeNull();
    expect(tableChecksums(maria, "crm_copy")).toEqual(original.tables);
    expect(schemaDefinitions(maria, "crm_copy")).toEqual(original.schema);
    expect(original.schema.triggers).toHaveLength(1);
    expect(original.schema.views).toHaveLength(2);
    expect(original.schema.routines).toHaveLength(2);
    expect(original.schema.events).toHaveLength(1);
    expect(listTree(target)).toEqual(listTree(uploads));
    // The trigger works in its new home, and the view reads the restored rows.
    asUser(maria, "INSERT INTO notes (title, body) VALUES ('after restore', '✓');", "crm_copy");
    expect(maria.rows("SELECT action FROM audit ORDER BY id DESC LIMIT 1", "crm_copy")).toEqual([["insert"]]);
    expect(maria.rows("SELECT COUNT(*) FROM contact_names", "crm_copy")).toEqual([["300"]]);
    expect(maria.rows(`SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'crm\\_copy\\_%'`)).toEqual([]);
  });

  it("refuses a new environment whose database already exists with tables", async () => {
    const { context } = restoreContext(configFor("crm_main"), { targetIsNew: true });
    await expect(mysql.restore!(context)).rejects.toThrow('Database "crm_main" already exists on the server with 5 tables: a restore into a new environment never replaces an existing database; choose another name');
  });

  it("restores over an existing database: swaps, keeps the previous copy complete, and discards it on request", async () => {
    createCrmDatabase(maria, "crm_live", { bigRows: 1000 });
    asUser(maria, "DELETE FROM big WHERE id > 500; CREATE TABLE extra_only_in_live (id INT PRIMARY KEY); CREATE VIEW live_view AS SELECT id FROM big;", "crm_live");
    const before = { tables: tableChecksums(maria, "crm_live"), schema: schemaDefinitions(maria, "crm_live") };
    const { context, tag } = restoreContext(configFor("crm_live"));
    const staged = await mysql.restore!(context);
    await staged.loadDatabase(fs.createReadStream(artifacts.database));
    // Nothing of the target changed until the swap.
    expect(tableChecksums(maria, "crm_live")).toEqual(before.tables);
    await staged.prepare(NOTHING);
    const copy = await staged.swap();
    expect(copy).toEqual({ description: `database "crm_live_before_${tag}"`, database: `crm_live_before_${tag}` });
    expect(tableChecksums(maria, "crm_live")).toEqual(original.tables);
    expect(schemaDefinitions(maria, "crm_live")).toEqual(original.schema);
    // The previous copy is whole: its tables, views, triggers and routines; its events disabled.
    const aside = `crm_live_before_${tag}`;
    expect(tableChecksums(maria, aside)).toEqual(before.tables);
    const asideSchema = schemaDefinitions(maria, aside);
    expect({ ...asideSchema, events: [] }).toEqual({ ...before.schema, events: [] });
    expect(asideSchema.events!.map((e) => e.split(" | ")[4])).toEqual(["DISABLED"]);
    expect(databaseExists(maria, `crm_live_restore_${tag}`)).toBe(false);
    await mysql.discardPreviousCopy!({ config: configFor("crm_live"), server, log: silentLogger }, copy!);
    expect(databaseExists(maria, aside)).toBe(false);
    await expect(mysql.discardPreviousCopy!({ config: configFor("crm_live"), server, log: silentLogger }, { description: "x", database: "crm_main" })).rejects.toThrow(
      'Refusing to drop database "crm_main": it is not a copy of "crm_live" that a restore moved aside',
    );
  });

  it("puts everything back when the swap fails half-way", async () => {
    createCrmDatabase(maria, "crm_busy", { bigRows: 1000 });
    const before = { tables: tableChecksums(maria, "crm_busy"), schema: schemaDefinitions(maria, "crm_busy") };
    const { context, tag } = restoreContext(configFor("crm_busy"));
    const staged = await mysql.restore!(context);
    await staged.loadDatabase(fs.createReadStream(artifacts.database));
    // Another session keeps `big` open in a transaction: moving it waits for its metadata lock, then times out,
    // after triggers, views and routines were already taken off both databases.
    maria.admin("SET GLOBAL lock_wait_timeout = 2;");
    const holder = spawn("/usr/bin/mariadb", ["--no-defaults", `--port=${maria.port}`, "--host=127.0.0.1", `--user=${maria.user}`, "crm_busy"], {
      env: { ...process.env, MYSQL_PWD: maria.password },
      stdio: ["pipe", "ignore", "ignore"],
    });
    holder.stdin.write("BEGIN; SELECT COUNT(*) FROM big; SELECT SLEEP(60);\n");
    await new Promise((r) => setTimeout(r, 1000));
    try {
      await expect(staged.swap()).rejects.toThrow(/Lock wait timeout exceeded/);
    } finally {
      holder.kill("SIGKILL");
      maria.admin("SET GLOBAL lock_wait_timeout = 86400;");
    }
    expect(tableChecksums(maria, "crm_busy")).toEqual(before.tables);
    expect(schemaDefinitions(maria, "crm_busy")).toEqual(before.schema);
    expect(databaseExists(maria, `crm_busy_before_${tag}`)).toBe(false);
    expect(tableChecksums(maria, `crm_busy_restore_${tag}`)).toEqual(original.tables);
    await staged.discard();
    expect(databaseExists(maria, `crm_busy_restore_${tag}`)).toBe(false);
  });

  it("refuses what is not a whole dump, and never runs the client's own commands from one", async () => {
    const marker = path.join(tmp, "pwned");
    const header = "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n\n";
    const cases: Array<[string, RegExp]> = [
      ["SELECT 1;\n", /The database dump is not a MariaDB\/MySQL plain-SQL dump \(it begins with "SELECT 1;\\n"\)/],
      [`${header}CREATE TABLE t (id INT);\n`, /The database dump is incomplete: it does not end with the dump tool's "Dump completed" line/],
      [`${header}system touch ${marker}\n-- Dump completed on 2026-01-01\n`, /Loading the database dump into "crm_evil_restore_[a-z0-9]{8}" failed: MySQL\/MariaDB said: You have an error in your SQL syntax/],
      [
        `${header}SELECT 1;\n\\! touch ${marker}\n-- Dump completed on 2026-01-01\n`,
        /Loading the database dump into "crm_evil_restore_[a-z0-9]{8}" failed: the input holds a client command \(Unknown command '\\!', line \d+\), which is never run from a dump: nothing more was loaded$/,
      ],
    ];
    for (const [content, message] of cases) {
      const { context } = restoreContext(configFor("crm_evil"));
      const staged = await mysql.restore!(context);
      await expect(staged.loadDatabase(Readable.from([Buffer.from(content)]))).rejects.toThrow(message);
      await staged.discard();
    }
    expect(fs.existsSync(marker)).toBe(false);
  });
});

// The testkit's source contract, as any third-party source would prove it, through the console's host.
describeSourceContract("mysql", {
  source: () => host.source("mysql"),
  context: () => ({ config, server }),
  capabilities: ["restore", "discover"],
  includeFilestore: true,
});
