import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileSet, FileSetEntry } from "@safehold/plugin-api";
import type { Principal } from "@/server/auth/principal";
import { generateAgeKeyPair } from "@/server/crypto/age-stream";
import { backupFilestoreObjects, backups, filestoreObjects, storageLocations } from "@/server/db/schema";
import { FilestoreIndexWriter, readFilestoreIndex, type IndexEntry } from "@/server/filestore/filestore-index";
import { orgObjectSecret } from "@/server/filestore/object-cipher";
import { filesSummaryLine, storeFiles, type FilesTarget } from "@/server/filestore/store-files";
import { sweepLocation } from "@/server/filestore/sweep";
import type { HostedStorageClient } from "@/server/plugins/conform";
import { openStorage } from "@/server/services/plugin-config";
import { createProject } from "@/server/services/projects";
import { loadBackupJob } from "@/server/backups/load-backup-job";
import { storeBackupRun } from "@/server/backups/store-backup";
import { Run } from "@/server/jobs/run-lifecycle";
import { createBackupSetup, createPostgresEnvironment, listFiles } from "../helpers/backup-env";
import { createTestDatabase, waitForLockWait, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

/**
 * Storing a folder as shared objects into a real local storage location, with the catalog in a real PostgreSQL.
 * The folder is handed over by a FileSet reading a local folder (what a source plugin hands the console), which
 * records every read so the tests see which files crossed the link.
 */
let t: TestDatabase;
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let storage: HostedStorageClient;
const plugins = builtinPluginHost();

const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");

/** A folder as a FileSet; `reads` records the paths of each read (one entry per command on the server). */
function folderSet(dir: string, options: { extra?: string } = {}): FileSet & { reads: string[][] } {
  const reads: string[][] = [];
  return {
    reads,
    async *list() {
      for (const rel of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
        const stat = fs.lstatSync(path.join(dir, rel));
        const mtime = Math.floor(stat.mtimeMs / 1000);
        if (stat.isSymbolicLink()) yield { type: "symlink", path: rel, target: fs.readlinkSync(path.join(dir, rel)), mtime, mode: stat.mode & 0o7777 } satisfies FileSetEntry;
        else if (stat.isFile()) yield { type: "file", path: rel, size: stat.size, mtime, mode: stat.mode & 0o7777 } satisfies FileSetEntry;
      }
    },
    async *read(paths) {
      reads.push([...paths]);
      for (const rel of [...paths, ...(options.extra ? [options.extra] : [])]) {
        const full = path.join(dir, rel);
        if (!fs.existsSync(full)) continue;
        yield { path: rel, size: fs.statSync(full).size, stream: fs.createReadStream(full) };
      }
    },
  };
}

/** An Odoo-like filestore: files named `<2 hex>/<sha1>` of their content. */
function odooFolder(count: number): { dir: string; add: (content: Buffer) => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-filestore-"));
  const add = (content: Buffer) => {
    const name = sha1(content);
    fs.mkdirSync(path.join(dir, name.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(dir, name.slice(0, 2), name), content);
    return `${name.slice(0, 2)}/${name}`;
  };
  for (let i = 0; i < count; i++) add(randomBytes(100 + i * 37));
  return { dir, add };
}

async function newBackup(projectId: string, environmentId: string) {
  const [row] = await t.db
    .insert(backups)
    .values({ orgId: owner.orgId, projectId, environmentId, storageLocationId: setup.storage.id, type: "manual", status: "in_progress", retentionClass: "permanent" })
    .returning();
  return row!;
}

async function project(name: string) {
  const p = await createProject(t.db, owner, { name, description: "" });
  const env = await createPostgresEnvironment(t.db, plugins, owner, { project: p, server: setup.server }, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" });
  return { projectId: p.id, environmentId: env.id };
}

/** Stores the FileSet for a new backup of `where`; returns the index entries and the summary. */
async function store(files: FileSet, where: { projectId: string; environmentId: string }, encryption: FilesTarget["encryption"] = null, orgId = owner.orgId) {
  const backup = await newBackup(where.projectId, where.environmentId);
  const index = new FilestoreIndexWriter();
  const target: FilesTarget = { db: t.db, storage, scope: { locationId: setup.storage.id, backupId: backup.id, projectId: where.projectId, orgId }, encryption, signal: new AbortController().signal, onBytes: () => {} };
  const chunks: Buffer[] = [];
  index.stream.on("data", (c: Buffer) => chunks.push(c));
  const summary = await storeFiles(target, files, index);
  const entries: IndexEntry[] = [];
  for await (const entry of readFilestoreIndex(Readable.from([Buffer.concat(chunks)]))) entries.push(entry);
  return { backup, summary, entries };
}

const objectsIn = (orgId = owner.orgId) => (fs.existsSync(path.join(setup.storageDir, "objects", orgId)) ? listFiles(path.join(setup.storageDir, "objects", orgId)) : []);

beforeAll(async () => {
  t = await createTestDatabase();
  owner = (await createOrgWithMembers(t.db, "Objects Org")).principals.owner;
  setup = await createBackupSetup(t.db, plugins, owner);
  const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
  storage = await openStorage(plugins, location!);
});

afterAll(async () => {
  await storage?.close();
  await t?.drop();
});

describe("storing a filestore as shared objects", () => {
  it("stores every file once, then reads only new ones for the same project, in one read per batch", async () => {
    const where = await project("Plain client");
    const folder = odooFolder(12);
    fs.writeFileSync(path.join(folder.dir, "notes.txt"), "not named by its content");
    fs.writeFileSync(path.join(folder.dir, "empty"), "");
    fs.symlinkSync("notes.txt", path.join(folder.dir, "link"));
    const first = folderSet(folder.dir);
    const one = await store(first, where);
    expect(one.summary).toMatchObject({ files: 14, newFiles: 14 });
    expect(filesSummaryLine(one.summary)).toMatch(/^Filestore: 14 files \(.+\); 14 new \(.+\) stored, 0 already stored$/);
    expect(one.entries.filter((e) => e.type === "file")).toHaveLength(14);
    expect(one.entries.find((e) => e.path === "link")).toMatchObject({ type: "symlink", target: "notes.txt" });
    const notes = one.entries.find((e) => e.path === "notes.txt");
    expect(notes).toMatchObject({ object: sha1(Buffer.from("not named by its content")) });
    // Named files are read once; the one named otherwise is hashed, then read again to be written.
    expect(first.reads[0]).toHaveLength(14);
    expect(first.reads.slice(1)).toEqual([["empty", "notes.txt"]]);
    expect(objectsIn()).toHaveLength(14);
    // Each stored object holds its file's bytes, and the catalog marks it stored, referenced by the backup.
    for (const entry of one.entries) {
      if (entry.type !== "file") continue;
      expect(sha1(fs.readFileSync(path.join(setup.storageDir, "objects", owner.orgId, entry.object.slice(0, 2), entry.object)))).toBe(entry.sha1);
    }
    expect(await t.db.select().from(filestoreObjects).where(isNull(filestoreObjects.storedAt))).toEqual([]);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, one.backup.id))).toHaveLength(14);

    const added = [folder.add(randomBytes(5000)), folder.add(randomBytes(7000)), folder.add(Buffer.alloc(0x20000, 7))];
    const second = folderSet(folder.dir);
    const two = await store(second, where);
    expect(two.summary).toMatchObject({ files: 17, newFiles: 3 });
    // Only the new files and the one whose name says nothing of its content crossed the link.
    expect(second.reads.flat().sort()).toEqual([...added, "empty", "notes.txt"].sort());
    expect(objectsIn()).toHaveLength(17);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, two.backup.id))).toHaveLength(17);
  });

  it("stores a file whose name lies under its content's sha1, never under the name", async () => {
    const where = await project("Lying client");
    const folder = odooFolder(0);
    const claimed = sha1(Buffer.from("somebody else's invoice"));
    const content = Buffer.from("what the server really holds");
    fs.mkdirSync(path.join(folder.dir, claimed.slice(0, 2)));
    fs.writeFileSync(path.join(folder.dir, claimed.slice(0, 2), claimed), content);
    const { entries } = await store(folderSet(folder.dir), where);
    expect(entries).toEqual([expect.objectContaining({ path: `${claimed.slice(0, 2)}/${claimed}`, object: sha1(content), sha1: sha1(content) })]);
    expect(objectsIn()).not.toContain(`${claimed.slice(0, 2)}/${claimed}`);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.objectId, claimed))).toEqual([]);
  });

  it("keeps a liar beside the file it names apart, in the backup that meets both and in the next one", async () => {
    const where = await project("Checklist client");
    const folder = odooFolder(0);
    const real = randomBytes(1007);
    const named = folder.add(real);
    // Odoo's GC checklist: an empty file under the name of a stored one, listed before it.
    fs.mkdirSync(path.join(folder.dir, "0checklist", named.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(folder.dir, "0checklist", named), "");
    for (const round of [1, 2]) {
      const { entries } = await store(folderSet(folder.dir), where);
      expect(entries, `backup ${round}`).toEqual([
        expect.objectContaining({ path: `0checklist/${named}`, size: 0, object: sha1(Buffer.alloc(0)) }),
        expect.objectContaining({ path: named, size: 1007, object: sha1(real) }),
      ]);
    }
  });

  it("makes another project send a file it names before sharing the stored object, and never trusts a name it cannot back", async () => {
    const a = await project("Client A");
    const b = await project("Client B");
    const folderA = odooFolder(0);
    const secret = randomBytes(3000);
    const secretPath = folderA.add(secret);
    await store(folderSet(folderA.dir), a);
    const stored = objectsIn().length;

    // B holds the same file: it is read (B proves it has it) and then shares A's object.
    const folderB = odooFolder(0);
    folderB.add(secret);
    const sameFile = folderSet(folderB.dir);
    const shared = await store(sameFile, b);
    expect(sameFile.reads.flat()).toEqual([secretPath]);
    expect(shared.summary.newFiles).toBe(0);
    expect(objectsIn()).toHaveLength(stored);

    // C names A's file without holding it: it gets its own content stored, not a reference to A's object.
    const c = await project("Client C");
    const folderC = odooFolder(0);
    fs.mkdirSync(path.join(folderC.dir, secretPath.slice(0, 2)));
    fs.writeFileSync(path.join(folderC.dir, secretPath), "guessing");
    const guessed = await store(folderSet(folderC.dir), c);
    expect(guessed.entries[0]).toMatchObject({ object: sha1(Buffer.from("guessing")) });
    const refs = await t.db.select().from(backupFilestoreObjects).where(and(eq(backupFilestoreObjects.backupId, guessed.backup.id), eq(backupFilestoreObjects.objectId, sha1(secret))));
    expect(refs).toEqual([]);
  });

  it("refuses a listing with a path that leaves the folder", async () => {
    const where = await project("Escaping client");
    const hostile: FileSet = {
      async *list() {
        yield { type: "file", path: "ab/../../etc/shadow", size: 10, mtime: 1, mode: 0o644 };
      },
      read: () => {
        throw new Error("nothing is read from a refused listing");
      },
    };
    await expect(store(hostile, where)).rejects.toThrow('The server listed an unsafe filestore path (absolute, through .., empty or with NUL): "ab/../../etc/shadow"');
  });

  it("refuses a file the server sends unasked", async () => {
    const where = await project("Chatty client");
    const folder = odooFolder(2);
    await expect(store(folderSet(folder.dir, { extra: "../../etc/passwd" }), where)).rejects.toThrow("The server sent the filestore file ../../etc/passwd, which was not asked for");
  });

  it("encrypts objects: no plain content in storage, one object per file within the organization, others for another organization", async () => {
    const where = await project("Encrypted client");
    const other = await project("Encrypted client 2");
    const identity = (await generateAgeKeyPair()).identity;
    const encryption = { keyId: null as unknown as string, secret: orgObjectSecret(identity) };
    const folder = odooFolder(0);
    const marker = Buffer.from("PLAINTEXT-MARKER ".repeat(200));
    folder.add(marker);
    const before = new Set(objectsIn());
    const one = await store(folderSet(folder.dir), where, encryption);
    const written = objectsIn().filter((k) => !before.has(k));
    expect(written).toHaveLength(1);
    expect(one.entries[0]).toMatchObject({ object: expect.stringMatching(/^[0-9a-f]{64}$/), sha1: sha1(marker) });
    const bytes = fs.readFileSync(path.join(setup.storageDir, "objects", owner.orgId, written[0]!));
    expect(bytes.includes(Buffer.from("PLAINTEXT-MARKER"))).toBe(false);
    expect(written[0]).not.toContain(sha1(marker));

    const two = await store(folderSet(folder.dir), other, encryption);
    expect(two.entries[0]!.type === "file" && two.entries[0]!.object).toBe(one.entries[0]!.type === "file" && one.entries[0]!.object);
    expect(objectsIn().filter((k) => !before.has(k))).toHaveLength(1);

    const otherOrg = (await createOrgWithMembers(t.db, "Other Org")).principals.owner;
    const otherSecret = { keyId: null as unknown as string, secret: orgObjectSecret((await generateAgeKeyPair()).identity) };
    const foreign = await store(folderSet(folder.dir), other, otherSecret, otherOrg.orgId);
    const foreignObject = foreign.entries[0]!.type === "file" ? foreign.entries[0]!.object : "";
    expect(foreignObject).not.toBe(one.entries[0]!.type === "file" && one.entries[0]!.object);
    expect(objectsIn(otherOrg.orgId)).toEqual([`${foreignObject.slice(0, 2)}/${foreignObject}`]);
  });
});

describe("a backup that fails after storing its filestore", () => {
  it("drops its references (the sweep removes what nobody else needs) and keeps no index", async () => {
    const where = await project("Failing client");
    const folder = odooFolder(4);
    const backup = await newBackup(where.projectId, where.environmentId);
    await t.db.update(backups).set({ status: "pending" }).where(eq(backups.id, backup.id));
    const job = (await loadBackupJob(t.db, backup.id))!;
    const run = (await Run.claim(t.db, "backup", backup.id, new AbortController().signal, { shutdown: "shut down", stopped: "stopped" }))!;
    const files = folderSet(folder.dir);
    await storeBackupRun(
      t.db,
      plugins,
      job,
      run,
      {
        startPhase: "starting",
        phase: () => "producing",
        open: async () => ({
          metadata: {},
          artifacts: (async function* () {
            yield { kind: "filestore" as const, files };
            throw new Error("The source failed after its filestore");
          })(),
        }),
        close: async () => {},
      },
      { complete: "backup.complete", fail: "backup.fail" },
    );
    const [failed] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(failed).toMatchObject({ status: "failed", error: "The source failed after its filestore" });
    expect(files.reads.flat()).toHaveLength(4);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, backup.id))).toEqual([]);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(backup.id))).toEqual([]);
  });
});

/** A gate a test opens: `opened` settles once `open()` was called. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** `files`, whose first read waits for `resume` after telling `reading`: the backup is then inside its filestore. */
function pausedAtFirstRead(files: FileSet, reading: () => void, resume: Promise<void>): FileSet {
  let first = true;
  return {
    list: (options) => files.list(options),
    async *read(paths, options) {
      if (first) {
        first = false;
        reading();
        await resume;
      }
      yield* files.read(paths, options);
    },
  };
}

describe("a sweep racing a backup that stores its filestore", () => {
  const storedObjectsOf = (entries: IndexEntry[]) => entries.flatMap((e) => (e.type === "file" ? [e.object] : []));
  const missingFromStorage = (entries: IndexEntry[]) => storedObjectsOf(entries).filter((id) => !objectsIn().some((f) => f.endsWith(`/${id}`)));

  it("is refused while the backup writes, and keeps every object the backup relies on once it is done", async () => {
    const where = await project("Race client");
    // What earlier tests left unreferenced goes first, so the sweeps below count only this test's objects.
    await sweepLocation(t.db, plugins, setup.storage.id);
    const folder = odooFolder(6);
    const first = await store(folderSet(folder.dir), where);
    // The only backup that referenced them is gone: their objects are the sweep's, unless the next backup takes them.
    await t.db.delete(backups).where(eq(backups.id, first.backup.id));
    folder.add(randomBytes(5000));
    const reading = gate();
    const resume = gate();
    const second = store(pausedAtFirstRead(folderSet(folder.dir), reading.open, resume.opened), where);
    await reading.opened;
    expect(await sweepLocation(t.db, plugins, setup.storage.id)).toBeNull();
    resume.open();
    const { entries, backup } = await second;
    expect(entries.filter((e) => e.type === "file")).toHaveLength(7);
    expect((await sweepLocation(t.db, plugins, setup.storage.id))?.objects).toBe(0);
    expect(missingFromStorage(entries)).toEqual([]);
    // Without a backup left, every object goes.
    await t.db.delete(backups).where(eq(backups.id, backup.id));
    await sweepLocation(t.db, plugins, setup.storage.id);
    expect(storedObjectsOf(entries).filter((id) => objectsIn().some((f) => f.endsWith(`/${id}`)))).toEqual([]);
  });

  it("makes a backup that starts during a sweep wait, then store again what the sweep removed", async () => {
    const where = await project("Swept client");
    const folder = odooFolder(5);
    const first = await store(folderSet(folder.dir), where);
    await t.db.delete(backups).where(eq(backups.id, first.backup.id));
    const swept = storedObjectsOf(first.entries);
    // Holding one catalog row stops the sweep inside its lock, before it removes anything.
    const hold = gate();
    const held = gate();
    const holding = t.sql.begin(async (tx) => {
      await tx`select 1 from filestore_objects where storage_location_id = ${setup.storage.id} and id = ${swept[0]!} for no key update`;
      held.open();
      await hold.opened;
    });
    await held.opened;
    const sweeping = sweepLocation(t.db, plugins, setup.storage.id);
    await waitForLockWait(t, "transactionid");
    const second = store(folderSet(folder.dir), where);
    await waitForLockWait(t, "advisory");
    hold.open();
    await holding;
    expect((await sweeping)?.objects).toBeGreaterThanOrEqual(swept.length);
    const { entries, summary } = await second;
    expect(summary).toMatchObject({ files: 5, newFiles: 5 });
    expect(missingFromStorage(entries)).toEqual([]);
  });
});
