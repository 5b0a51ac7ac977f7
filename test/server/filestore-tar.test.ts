import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileSet, FileSetEntry } from "@safehold/plugin-api";
import type { Principal } from "@/server/auth/principal";
import { backups, filestoreObjects, storageLocations } from "@/server/db/schema";
import { streamToStorage, type StoredArtifact } from "@/server/backups/stream-to-storage";
import { storeFilestoreObjects } from "@/server/filestore/filestore-artifact";
import { openFilestoreTar } from "@/server/filestore/filestore-tar";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { ArtifactToLoad } from "@/server/restores/artifact-stream";
import { openStorage } from "@/server/services/plugin-config";
import { createBackupSetup, createPostgresEnvironment, listFiles } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

/** A filestore stored as objects, then reassembled into a tar from its index, with every object checked. */
let t: TestDatabase;
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let storage: HostedStorageClient;
let index: ArtifactToLoad;
let folder: string;
const plugins = builtinPluginHost();
const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");
const MiB = 1024 * 1024;
/** A file of four 1 MiB chunks, the last one short. */
const LARGE = 3 * MiB + 123_456;

function folderSet(dir: string): FileSet {
  return {
    async *list() {
      for (const rel of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
        const stat = fs.lstatSync(path.join(dir, rel));
        const mtime = Math.floor(stat.mtimeMs / 1000);
        if (stat.isSymbolicLink()) yield { type: "symlink", path: rel, target: fs.readlinkSync(path.join(dir, rel)), mtime, mode: 0o777 } satisfies FileSetEntry;
        else if (stat.isFile()) yield { type: "file", path: rel, size: stat.size, mtime, mode: stat.mode & 0o7777 } satisfies FileSetEntry;
      }
    },
    async *read(paths) {
      for (const rel of paths) yield { path: rel, size: fs.statSync(path.join(dir, rel)).size, stream: fs.createReadStream(path.join(dir, rel)) };
    },
  };
}

/** The tar's entries: files with their sha256, folders and links. */
async function entriesOf(content: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const hash = createHash("sha256");
      stream.on("data", (b) => void hash.update(b as Buffer));
      stream.on("end", () => {
        out[header.name] = header.type === "file" ? hash.digest("hex") : header.type === "symlink" ? `-> ${header.linkname}` : header.type;
        next();
      });
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  for await (const chunk of content) if (!extract.write(chunk as Buffer)) await new Promise<void>((r) => extract.once("drain", () => r()));
  extract.end(undefined);
  await done;
  return out;
}

const objectPath = (id: string) => path.join(setup.storageDir, "objects", owner.orgId, id.slice(0, 2), id);

beforeAll(async () => {
  t = await createTestDatabase();
  owner = (await createOrgWithMembers(t.db, "Tar Org")).principals.owner;
  setup = await createBackupSetup(t.db, plugins, owner);
  const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
  storage = await openStorage(plugins, location!);
  const env = await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" });
  const [backup] = await t.db
    .insert(backups)
    .values({ orgId: owner.orgId, projectId: setup.project.id, environmentId: env.id, storageLocationId: setup.storage.id, type: "manual", status: "in_progress", retentionClass: "permanent" })
    .returning();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-tar-"));
  for (const content of [randomBytes(10), randomBytes(200_000), Buffer.alloc(0), randomBytes(LARGE)]) {
    const id = sha1(content);
    fs.mkdirSync(path.join(folder, id.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(folder, id.slice(0, 2), id), content);
  }
  fs.mkdirSync(path.join(folder, "deep", "er"), { recursive: true });
  fs.writeFileSync(path.join(folder, "deep", "er", "notes.txt"), "named by no sha1");
  fs.symlinkSync("deep/er/notes.txt", path.join(folder, "link"));
  const key = `${setup.project.id}/index.jsonl.gz`;
  const target = { db: t.db, storage, scope: { locationId: setup.storage.id, backupId: backup!.id, projectId: setup.project.id, orgId: owner.orgId }, encryption: null, signal: new AbortController().signal, onBytes: () => {} };
  index = storeIndex(key, (await storeFilestoreObjects(target, folderSet(folder), storage, key, undefined)).stored);
});

function storeIndex(key: string, stored: StoredArtifact): ArtifactToLoad {
  return { kind: "filestore", key, size: stored.size, sha256: stored.sha256, chunks: { size: stored.chunkSize, hashes: stored.chunks }, encryption: null, layout: "objects", orgId: owner.orgId };
}

/** The index's lines as stored (gunzipped). */
async function indexLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await storage.get(index.key)).pipe(createGunzip())) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trimEnd().split("\n");
}

/**
 * Reads the tar as a loader would and keeps the bytes of `name` it was given before the tar failed: what a damaged
 * object let through.
 */
async function bytesReceived(load: ArtifactToLoad, name: string): Promise<{ received: Buffer; error: Error }> {
  const { content, verified } = await openFilestoreTar(storage, load, { orgId: owner.orgId, identities: [] }, () => {});
  const received: Buffer[] = [];
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    stream.on("data", (b) => void (header.name === name && received.push(b as Buffer)));
    stream.on("end", next);
  });
  const error = await Promise.all([pipeline(content, extract), verified]).then(
    () => new Error("the tar was read to its end"),
    (err: Error) => err,
  );
  return { received: Buffer.concat(received), error };
}

/** Flips one bit of a stored plain object at `offset`; returns a function putting the object back. */
function damage(id: string, offset: number): () => void {
  const kept = fs.readFileSync(objectPath(id));
  const changed = Buffer.from(kept);
  changed[offset] = changed[offset]! ^ 1;
  fs.writeFileSync(objectPath(id), changed);
  return () => fs.writeFileSync(objectPath(id), kept);
}

afterAll(async () => {
  await storage?.close();
  await t?.drop();
});

describe("a filestore reassembled from its objects", () => {
  it("is the folder as a tar: every file byte for byte, parents as folders, links as links", async () => {
    const { content, verified } = await openFilestoreTar(storage, index, { orgId: owner.orgId, identities: [] }, () => {});
    const entries = await entriesOf(content);
    await verified;
    const expected: Record<string, string> = {};
    for (const f of listFiles(folder).filter((f) => f !== "link")) expected[f] = createHash("sha256").update(fs.readFileSync(path.join(folder, f))).digest("hex");
    for (const [name, value] of Object.entries(expected)) expect(entries[name], name).toBe(value);
    expect(entries["deep/"]).toBe("directory");
    expect(entries["deep/er/"]).toBe("directory");
    expect(entries.link).toBe("-> deep/er/notes.txt");
  });

  it("fails naming the file when its object is missing, and when it was changed", async () => {
    const name = listFiles(folder).find((f) => fs.statSync(path.join(folder, f)).size === 200_000)!;
    const id = path.basename(name);
    const kept = fs.readFileSync(objectPath(id));
    fs.rmSync(objectPath(id));
    const gone = await openFilestoreTar(storage, index, { orgId: owner.orgId, identities: [] }, () => {});
    await expect(Promise.all([entriesOf(gone.content), gone.verified])).rejects.toThrow(`The filestore file ${name} is missing from storage (object ${id.slice(0, 12)}…)`);

    const changed = Buffer.from(kept);
    changed[5] = changed[5]! ^ 1;
    fs.writeFileSync(objectPath(id), changed);
    const damaged = await openFilestoreTar(storage, index, { orgId: owner.orgId, identities: [] }, () => {});
    await expect(Promise.all([entriesOf(damaged.content), damaged.verified])).rejects.toThrow(new RegExp(`^The filestore file ${name} is damaged: `));
    fs.writeFileSync(objectPath(id), kept);
  });

  it("records the chunk hashes of a file larger than one chunk, in the index and the catalog", async () => {
    const name = listFiles(folder).find((f) => fs.statSync(path.join(folder, f)).size === LARGE)!;
    const content = fs.readFileSync(path.join(folder, name));
    const expected = [0, 1, 2, 3].map((i) => createHash("sha256").update(content.subarray(i * MiB, (i + 1) * MiB)).digest("hex"));
    const line = (await indexLines()).map((l) => JSON.parse(l) as { path?: string; chunks?: string[] }).find((l) => l.path === name)!;
    expect(line.chunks).toEqual(expected);
    const [row] = await t.db.select({ chunks: filestoreObjects.chunks }).from(filestoreObjects).where(eq(filestoreObjects.id, path.basename(name)));
    expect(row!.chunks).toEqual(expected);
    const small = (await indexLines()).map((l) => JSON.parse(l) as { size?: number; chunks?: string[] }).filter((l) => l.size !== undefined && l.size <= MiB);
    expect(small.length).toBe(4);
    for (const l of small) expect(l.chunks).toBeUndefined();
  });

  it("lets no byte of a damaged plain object reach the reader: a large file stops at the last good chunk, a small one gives nothing", async () => {
    const large = listFiles(folder).find((f) => fs.statSync(path.join(folder, f)).size === LARGE)!;
    const original = fs.readFileSync(path.join(folder, large));
    let restore = damage(path.basename(large), MiB + 5);
    const cut = await bytesReceived(index, large);
    restore();
    expect(cut.received.length).toBe(MiB);
    expect(cut.received.equals(original.subarray(0, MiB))).toBe(true);
    expect(cut.error.message).toMatch(new RegExp(`^The filestore file ${large} is damaged: bytes 1048576–2097151 \\(chunk 2 of 4\\)`));

    const small = listFiles(folder).find((f) => fs.statSync(path.join(folder, f)).size === 200_000)!;
    restore = damage(path.basename(small), 199_999);
    const none = await bytesReceived(index, small);
    restore();
    expect(none.received.length).toBe(0);
    expect(none.error.message).toMatch(new RegExp(`^The filestore file ${small} is damaged: `));
  });

  it("checks a large file indexed without chunk hashes by reading it whole first: a damaged one gives nothing", async () => {
    const lines = (await indexLines()).map((l) => {
      const { chunks: _dropped, ...line } = JSON.parse(l) as Record<string, unknown>;
      return `${JSON.stringify(line)}\n`;
    });
    expect(lines.join("")).not.toContain("chunks");
    const key = `${setup.project.id}/index-before-chunks.jsonl.gz`;
    const load = storeIndex(key, await streamToStorage(Readable.from(lines), storage, key, { gzip: true, onSourceBytes: () => {}, signal: new AbortController().signal }));
    const whole = await openFilestoreTar(storage, load, { orgId: owner.orgId, identities: [] }, () => {});
    const entries = await entriesOf(whole.content);
    await whole.verified;
    const large = listFiles(folder).find((f) => fs.statSync(path.join(folder, f)).size === LARGE)!;
    expect(entries[large]).toBe(createHash("sha256").update(fs.readFileSync(path.join(folder, large))).digest("hex"));

    const restore = damage(path.basename(large), 3 * MiB + 7);
    const none = await bytesReceived(load, large);
    restore();
    expect(none.error.message).toMatch(new RegExp(`^The filestore file ${large} is damaged: `));
    expect(none.received.length).toBe(0);
  });
});
