import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { pack as tarPack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type SourceArtifactKind } from "@safehold/plugin-api";
import { ZipWriter, artifactStream } from "@safehold/plugin-helpers";
import type { ManagedServer, PluginConfig, SourceContribution } from "@/server/plugins/contracts";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { adminDatabaseUrl, createClientDatabase } from "../helpers/database";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { createOdooFixture, filestoreChecksums, odooTableChecksums, type OdooFixture } from "../helpers/odoo-fixture";
import { extractAsOdoo, inspectZip, ODOO_MANIFEST_KEYS, psqlLoad } from "../helpers/odoo-zip";

type Client = Awaited<ReturnType<typeof createClientDatabase>>;

const host = new PluginHost(BUILTIN_PLUGINS);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-odoo-export-"));
const clients: Client[] = [];
let server: ManagedServer;
let odoo: SourceContribution;
let client: Client;
let filestore: string;
let fixture: OdooFixture;
let metadata: Record<string, unknown>;
let config: PluginConfig;
/** The backup's artifacts as files: what the console's verified reader hands the plugin, decompressed. */
const stored: Record<string, string> = {};

function clientUrl(c: Client, database = c.database): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: c.user, password: c.password, pathname: `/${database}` });
  return url.toString();
}

async function newClient(): Promise<Client> {
  const c = await createClientDatabase({ createdb: true });
  clients.push(c);
  return c;
}

async function exportTo(file: string, options: { neutralize?: boolean; erasedSubjects?: string[]; openArtifact?: (kind: SourceArtifactKind) => Promise<Readable> } = {}): Promise<void> {
  const zip = await odoo.exportArchive!({
    format: "odoo-zip",
    metadata,
    application: null,
    artifacts: ["database", "filestore"],
    openArtifact: options.openArtifact ?? (async (kind) => fs.createReadStream(stored[kind]!)),
    neutralize: options.neutralize ?? false,
    erasedSubjects: options.erasedSubjects ?? [],
    signal: new AbortController().signal,
    log: silentLogger,
  });
  await pipeline(zip, fs.createWriteStream(file));
}

type TarEntry = { name: string; type: "file" | "directory" | "link" | "symlink"; content?: string; linkname?: string };

/** A small tar made in memory, as `tar -C folder -cf - .` would list those entries. */
async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  for (const { content, ...header } of entries) pack.entry({ ...header, mode: 0o644 }, content ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function query<T extends object>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  server = manageServer(await (await host.serverKind("local")).connect({}), { name: "this host", allowedRoots: [tmp], databasePattern: null, programs: {} });
  odoo = await host.source("odoo");
  client = await newClient();
  const dataDir = fs.mkdtempSync(path.join(tmp, "data-"));
  fixture = await createOdooFixture(clientUrl(client), dataDir, { partners: 200 });
  filestore = fixture.filestore;
  config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, dataDir };
  const backup = await odoo.backup({ config, server, includeFilestore: true, signal: new AbortController().signal, log: silentLogger });
  metadata = backup.metadata;
  for await (const artifact of backup.artifacts) {
    stored[artifact.kind] = path.join(tmp, `stored-${artifact.kind}`);
    await pipeline(artifactStream(artifact), fs.createWriteStream(stored[artifact.kind]!));
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  for (const c of clients) await c.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the Odoo zip of a backup", () => {
  const zipFile = () => path.join(tmp, "export.zip");

  beforeAll(async () => exportTo(zipFile()), 120_000);

  it("has Odoo 16 dump_db's layout: dump.sql, manifest.json, then the filestore's files, deflated, no folder entries", () => {
    const zip = inspectZip(zipFile());
    expect(zip.isZip).toBe(true);
    expect(zip.bad).toBeNull();
    const names = zip.members.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(["dump.sql", "manifest.json"]);
    expect(names.slice(2).every((n) => n.startsWith("filestore/"))).toBe(true);
    expect(zip.members.every((m) => m.deflated && !m.isDir)).toBe(true);
    expect(new Set(names.slice(2).map((n) => n.slice("filestore/".length)))).toEqual(new Set(Object.keys(filestoreChecksums(filestore))));
  });

  it("has manifest.json with dump_db_manifest's fields, in its order, as json.dump(indent=4) writes them", () => {
    const text = inspectZip(zipFile()).manifest!;
    const manifest = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(manifest)).toEqual(ODOO_MANIFEST_KEYS);
    expect(manifest).toMatchObject({ odoo_dump: "1", db_name: client.database, version: "17.0", major_version: "17.0", version_info: [17, 0, 0, "final", 0, ""] });
    // Odoo's float division: every PostgreSQL since 10 reads "<major>.0".
    expect(manifest.pg_version).toMatch(/^\d+\.0$/);
    expect(manifest.modules).toEqual(metadata.modules);
    const python = execFileSync("python3", ["-c", "import json,sys; print(json.dumps(json.loads(sys.stdin.read()), indent=4), end='')"], { input: text, encoding: "utf8" });
    expect(text).toBe(python);
  });

  it("loads with psql into an empty database with the fixture's tables, and its files are byte-equal", async () => {
    const into = fs.mkdtempSync(path.join(tmp, "restored-"));
    extractAsOdoo(zipFile(), into);
    const empty = await newClient();
    psqlLoad(clientUrl(empty), path.join(into, "dump.sql"));
    expect(await odooTableChecksums(clientUrl(empty))).toEqual(await odooTableChecksums(clientUrl(client)));
    expect(filestoreChecksums(path.join(into, "filestore"))).toEqual(filestoreChecksums(filestore));
  }, 120_000);

  it("neutralized, loads with Odoo's neutralization applied: no mail server but the dummy, crons off but autovacuum, flagged", async () => {
    const file = path.join(tmp, "neutralized.zip");
    await exportTo(file, { neutralize: true });
    const into = fs.mkdtempSync(path.join(tmp, "neutralized-"));
    extractAsOdoo(file, into);
    const empty = await newClient();
    const url = clientUrl(empty);
    psqlLoad(url, path.join(into, "dump.sql"));
    const before = await query<{ n: number }>(clientUrl(client), "select count(*)::int as n from ir_mail_server where active");
    expect(before[0]!.n).toBeGreaterThan(0);
    expect(await query(url, "select name, smtp_host from ir_mail_server where active")).toEqual([{ name: "neutralization - disable emails", smtp_host: "invalid" }]);
    const crons = await query<{ name: string }>(url, `select d.name from ir_cron c join ir_model_data d on d.model = 'ir.cron' and d.res_id = c.id where c.active`);
    expect(crons.map((c) => c.name)).toEqual(["autovacuum_job"]);
    expect(await query(url, "select value from ir_config_parameter where key = 'database.is_neutralized'")).toEqual([{ value: "true" }]);
    // One definition: a neutralized restore of the same backup leaves every table exactly as this export does.
    const restored = `${client.database}_neutralized`;
    const staged = await odoo.restore!({ config: { ...config, database: restored }, server, restoreId: randomUUID(), includeFiles: false, targetIsNew: true, signal: new AbortController().signal, log: silentLogger });
    await staged.loadDatabase(fs.createReadStream(stored.database!));
    await staged.prepare({ newIdentity: false, neutralize: true, erasedSubjects: [] });
    await staged.swap();
    expect(await odooTableChecksums(url)).toEqual(await odooTableChecksums(clientUrl(client, restored)));
  }, 120_000);

  it("fails (the stream errors, no complete zip) when a stored file proves damaged half-way", async () => {
    const head = fs.readFileSync(stored.database!).subarray(0, 64 * 1024);
    const damaged = async (kind: SourceArtifactKind) => {
      if (kind !== "database") return fs.createReadStream(stored[kind]!);
      const stream = new PassThrough();
      stream.write(head, () => setTimeout(() => stream.destroy(new Error("The stored database file is damaged: chunk 1 does not match its checksum")), 50));
      return stream;
    };
    await expect(exportTo(path.join(tmp, "damaged.zip"), { openArtifact: damaged })).rejects.toThrow(/chunk 1 does not match/);
  });

  it("of a project with an erased person, holds no trace of them: their rows rewritten in dump.sql, their attachments' files left out", async () => {
    const file = path.join(tmp, "erased.zip");
    await exportTo(file, { erasedSubjects: [fixture.subject.email] });
    const into = fs.mkdtempSync(path.join(tmp, "erased-"));
    extractAsOdoo(file, into);
    const dump = fs.readFileSync(path.join(into, "dump.sql"), "utf8");
    // A trace as a whole word (jojane.erasure@example.org is someone else), as the erasure tests read them.
    const escape = (text: string) => text.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const trace = new RegExp(`(^|[^a-z0-9._%+-])(${fixture.subject.traces.map(escape).join("|")})`);
    expect(dump.split("\n").filter((line) => trace.test(line.toLowerCase()))).toEqual([]);
    expect(fixture.subject.erasedFiles.length).toBeGreaterThan(0);
    const exported = filestoreChecksums(path.join(into, "filestore"));
    const kept = Object.fromEntries(Object.entries(filestoreChecksums(filestore)).filter(([name]) => !fixture.subject.erasedFiles.includes(name)));
    expect(exported).toEqual(kept);
    // Everyone else's data loads as it was.
    const empty = await newClient();
    psqlLoad(clientUrl(empty), path.join(into, "dump.sql"));
    const [loaded] = await query<{ n: number }>(clientUrl(empty), "select count(*)::int as n from res_partner");
    const [original] = await query<{ n: number }>(clientUrl(client), "select count(*)::int as n from res_partner");
    expect(loaded!.n).toBe(original!.n);
  }, 120_000);

  it("writes links to files of the filestore as copies of them, leaves out other links, and refuses paths leaving the folder", async () => {
    const filestoreTar = await tarOf([
      { name: "./", type: "directory" },
      { name: "./ab/", type: "directory" },
      { name: "./ab/file1", type: "file", content: "one" },
      { name: "./ab/hard", type: "link", linkname: "./ab/file1" },
      { name: "./ab/soft", type: "symlink", linkname: "file1" },
      { name: "./ab/chain", type: "symlink", linkname: "soft" },
      { name: "./dirlink", type: "symlink", linkname: "ab" },
      { name: "./dangling", type: "symlink", linkname: "missing" },
      { name: "./outside", type: "symlink", linkname: "../../etc/passwd" },
      { name: "./absolute", type: "symlink", linkname: "/etc/passwd" },
    ]);
    const openWith = (tar: Buffer) => async (kind: SourceArtifactKind) => (kind === "filestore" ? Readable.from([tar]) : fs.createReadStream(stored.database!));
    const file = path.join(tmp, "links.zip");
    await exportTo(file, { openArtifact: openWith(filestoreTar) });
    const contents = execFileSync(
      "python3",
      ["-c", "import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist() if n.startswith('filestore/')}))", file],
      { encoding: "utf8" },
    );
    expect(JSON.parse(contents)).toEqual({ "filestore/ab/file1": "one", "filestore/ab/hard": "one", "filestore/ab/soft": "one", "filestore/ab/chain": "one" });

    const escaping = await tarOf([{ name: "../escape", type: "file", content: "x" }]);
    await expect(exportTo(path.join(tmp, "escaping.zip"), { openArtifact: openWith(escaping) })).rejects.toThrow(/unsafe path "..\/escape"/);
  });

  it("refuses a backup that does not record Odoo's manifest", async () => {
    await expect(
      odoo.exportArchive!({ format: "odoo-zip", metadata: { odoo_dump: "1" }, application: null, artifacts: ["database"], openArtifact: async () => Readable.from([]), neutralize: false, erasedSubjects: [], signal: new AbortController().signal, log: silentLogger }),
    ).rejects.toThrow(/does not record Odoo's manifest/);
  });
});

describe("the zip writer", () => {
  it("writes Zip64 records that Python's zipfile and unzip read back", async () => {
    const file = path.join(tmp, "zip64.zip");
    const zip = new ZipWriter();
    const written = pipeline(zip.output, fs.createWriteStream(file));
    await zip.add("big.bin", Readable.from([Buffer.alloc(1024 * 1024, 7)]), { forceZip64: true });
    await zip.add("dir/small.txt", Readable.from([Buffer.from("hello")]), { size: 5, forceZip64: true });
    zip.end({ forceZip64: true });
    await written;
    const read = inspectZip(file);
    expect(read.bad).toBeNull();
    expect(read.members.map((m) => [m.name, m.size, m.zip64])).toEqual([
      ["big.bin", 1024 * 1024, true],
      ["dir/small.txt", 5, true],
    ]);
    expect(execFileSync("unzip", ["-tq", file], { encoding: "utf8" })).toMatch(/No errors detected/);
  });

  it("streams an entry past 4 GiB (Zip64 sizes) from a generator, with flat memory, that Python's zipfile opens", async () => {
    const file = path.join(tmp, "huge.zip");
    const zip = new ZipWriter();
    const written = pipeline(zip.output, fs.createWriteStream(file));
    const chunk = Buffer.alloc(1024 * 1024, 0x2d);
    const chunks = 4 * 1024 + 16;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    await zip.add(
      "dump.sql",
      Readable.from(
        (function* () {
          for (let i = 0; i < chunks; i++) {
            if (i % 256 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
            yield chunk;
          }
        })(),
      ),
    );
    zip.end();
    await written;
    expect(rssPeak - rssBefore).toBeLessThan(200 * 1024 * 1024);
    // The central directory and the entry's start, as zipfile reads them (decompressing 4 GiB again would only cost time).
    const read = execFileSync(
      "python3",
      ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); i = z.infolist()[0]; print(i.filename, i.file_size, z.open(i).read(8).decode())", file],
      { encoding: "utf8" },
    );
    expect(read.trim()).toBe(`dump.sql ${chunks * 1024 * 1024} --------`);
    expect(chunks * 1024 * 1024).toBeGreaterThan(0xffffffff);
  }, 300_000);

  it("writes more than 65,535 entries (the Zip64 end of central directory)", async () => {
    const file = path.join(tmp, "many.zip");
    const zip = new ZipWriter();
    const written = pipeline(zip.output, fs.createWriteStream(file));
    const count = 70_000;
    for (let i = 0; i < count; i++) await zip.add(`filestore/${(i % 256).toString(16).padStart(2, "0")}/${i}`, Readable.from([Buffer.from(String(i))]));
    zip.end();
    await written;
    const listed = execFileSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.testzip())", file], { encoding: "utf8" });
    expect(listed.trim()).toBe(`${count} None`);
  }, 120_000);

  it("ends its output with the error of an entry that fails, never with a short but valid zip", async () => {
    const zip = new ZipWriter();
    const ended = new Promise((resolve, reject) => zip.output.once("error", reject).once("end", resolve));
    zip.output.resume();
    const failing = new PassThrough();
    const added = zip.add("dump.sql", failing);
    failing.write("begin;\n");
    failing.destroy(new Error("The stored database file is damaged"));
    await expect(added).rejects.toThrow(/damaged/);
    await expect(ended).rejects.toThrow(/damaged/);
  });
});
