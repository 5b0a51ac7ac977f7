import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupArtifacts, backups } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { databasesLike, waitForRestore } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let environmentId: string;
const plugins = builtinPluginHost();

async function backupNow() {
  const created = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: false, retention: "daily" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

async function restoreOriginal(backupId: string) {
  const restore = await createRestore(t.db, plugins, owner, { backupId, target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
  return waitForRestore(t.db, owner, restore.id);
}

function storedPath(backup: { artifacts: Array<{ kind: string; key: string }> }, kind: string): string {
  return path.join(setup.storageDir, backup.artifacts.find((a) => a.kind === kind)!.key);
}

/** Makes a backup look as one taken before signed manifests: no chunk checksums, no signature, flag off. */
async function makeLegacy(backup: Awaited<ReturnType<typeof backupNow>>) {
  const file = storedPath(backup, "manifest");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { signature?: unknown; artifacts: Array<Record<string, unknown>> };
  delete manifest.signature;
  for (const a of manifest.artifacts) {
    delete a.chunkSize;
    delete a.chunks;
  }
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  await t.db.update(backups).set({ signedManifest: false }).where(eq(backups.id, backup.id));
}

async function rows(): Promise<number> {
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from items`;
  await sql.end();
  return row!.n;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Verification"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createClientDatabase({ createdb: true });
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  // Random text, so the gzip file spans several 1 MiB chunks.
  await sql.unsafe("create table items (id int primary key, body text); insert into items select g, md5(g::text) || md5((g * 7)::text) from generate_series(1, 200000) g");
  await sql.end();
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, client)).id;
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
});

describe("what a restore checks before it loads anything", () => {
  it("records a signed manifest, and restores from it chunk by chunk", async () => {
    const backup = await backupNow();
    const [row] = await t.db.select({ signedManifest: backups.signedManifest }).from(backups).where(eq(backups.id, backup.id));
    expect(row!.signedManifest).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(storedPath(backup, "manifest"), "utf8")) as { artifacts: Array<{ chunks: string[] }> };
    expect(manifest.artifacts[0]!.chunks.length).toBeGreaterThan(1);
    const done = await restoreOriginal(backup.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(await rows()).toBe(200000);
  });

  it("restores a backup taken before signed manifests after reading its file through once", async () => {
    const backup = await backupNow();
    await makeLegacy(backup);
    const done = await restoreOriginal(backup.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(done.log.map((l) => l.message)).toContain("This backup was taken before files were checked chunk by chunk: its database file is read and checked once before it is loaded");
    expect(await rows()).toBe(200000);
  });

  it("refuses such a backup whose file changed, on the first read, before a fresh database exists", async () => {
    const backup = await backupNow();
    await makeLegacy(backup);
    const file = storedPath(backup, "database");
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const done = await restoreOriginal(backup.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^The stored database file is damaged: \d+ bytes with sha256 \w{12}…, but \d+ bytes with sha256 \w{12}… were verified when the backup was taken$/);
    expect(await databasesLike(`${client.database}_restore_`)).toEqual([]);
  });

  it("refuses a manifest that is missing, too large, or describes other files than the catalog", async () => {
    const missing = await backupNow();
    fs.rmSync(storedPath(missing, "manifest"));
    expect((await restoreOriginal(missing.id)).error).toMatch(/^The manifest of this backup cannot be read from storage, and a restore checks it first: Object .* does not exist/);

    const large = await backupNow();
    fs.writeFileSync(storedPath(large, "manifest"), Buffer.alloc(64 * 1024 * 1024 + 1, 0x20));
    expect((await restoreOriginal(large.id)).error).toBe("The stored manifest of this backup is larger than 64 MiB, which no backup writes; refusing to restore it");

    // The catalog, not the storage, is changed here: a signed manifest that no longer matches it is refused too.
    const other = await backupNow();
    await t.db.update(backupArtifacts).set({ size: 1 }).where(and(eq(backupArtifacts.backupId, other.id), eq(backupArtifacts.kind, "database")));
    expect((await restoreOriginal(other.id)).error).toBe(
      "The stored manifest of this backup does not describe its database file as the catalog does (key, size, sha256, chunk checksums and layout); refusing to restore it",
    );
    expect(await databasesLike(`${client.database}_restore_`)).toEqual([]);
  });

  it("refuses to load with a psql that cannot lock out meta-commands, naming the release to install", async () => {
    const backup = await backupNow();
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-old-psql-"));
    fs.writeFileSync(path.join(bin, "psql"), '#!/bin/sh\necho "psql (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)"\n', { mode: 0o755 });
    const path0 = process.env.PATH;
    process.env.PATH = `${bin}:${path0}`;
    try {
      const done = await restoreOriginal(backup.id);
      expect(done.error).toBe("psql 15.8 on the server cannot lock out meta-commands (\\restrict): install psql 15.14 or newer");
    } finally {
      process.env.PATH = path0;
      fs.rmSync(bin, { recursive: true, force: true });
    }
    expect(await databasesLike(`${client.database}_restore_`)).toEqual([]);
  });
});
