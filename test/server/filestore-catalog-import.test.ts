import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { importCatalog } from "@/server/catalog/import-catalog";
import { backupFilestoreObjects, backups, filestoreObjects } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, listFiles, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { filestoreChecksums } from "../helpers/odoo-fixture";
import { createOdooClient, createOdooEnvironment, waitForRestore, type OdooClient } from "../helpers/restore-env";

/**
 * A console rebuilt without its catalog imports the location's backups: an (encrypted) Odoo backup whose filestore
 * is kept as shared objects comes back with its objects' rows and references, and restores; one whose object is
 * gone from storage comes back unverified.
 */
let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let environmentId: string;
const plugins = builtinPluginHost();

async function backUp() {
  const created = await createBackup(t.db, owner, { environmentId, name: "nightly", notes: "", includeFilestore: true, retention: "daily" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

/** Forgets the environment's backups as a console rebuilt from an older self-backup would: their rows, and the objects' rows. */
async function forgetBackups() {
  await t.db.delete(backups).where(eq(backups.environmentId, environmentId));
  await t.db.delete(filestoreObjects).where(eq(filestoreObjects.storageLocationId, setup.storage.id));
}

beforeAll(async () => {
  t = await createTestDatabase();
  owner = (await createOrgWithMembers(t.db, "Rebuilt Agency")).principals.owner;
  setup = await createBackupSetup(t.db, plugins, owner, { encrypt: true });
  await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), encrypt: true });
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, client)).id;
  worker = await startTestWorker(t);
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
});

describe("importing the catalog of a location with filestores kept as objects", () => {
  it("re-creates each object's row and the backup's references, and the backup restores", async () => {
    // An attachment over 1 MiB: its object's chunk hashes must come back from the index.
    const large = randomBytes(1024 * 1024 + 4096);
    const sha1 = createHash("sha1").update(large).digest("hex");
    fs.mkdirSync(path.join(client.filestore(), sha1.slice(0, 2)), { recursive: true });
    fs.writeFileSync(path.join(client.filestore(), sha1.slice(0, 2), sha1), large);
    const backup = await backUp();
    const references = await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, backup.id));
    const expected = references.map((r) => r.objectId).sort();
    const chunksOf = async () =>
      Object.fromEntries((await t.db.select({ id: filestoreObjects.id, chunks: filestoreObjects.chunks }).from(filestoreObjects).where(eq(filestoreObjects.storageLocationId, setup.storage.id))).map((r) => [r.id, r.chunks]));
    const chunksBefore = await chunksOf();
    expect(Object.values(chunksBefore).filter((c) => c?.length === 2)).toHaveLength(1);
    await forgetBackups();

    const result = await importCatalog(t.db, plugins, owner, setup.storage.id);
    expect(result).toMatchObject({ added: 1, skipped: [] });
    const [imported] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(imported).toMatchObject({ verified: true, origin: "imported" });
    const back = await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, backup.id));
    expect(back.map((r) => r.objectId).sort()).toEqual(expected);
    const rows = await t.db.select().from(filestoreObjects).where(eq(filestoreObjects.storageLocationId, setup.storage.id));
    expect(rows.every((r) => r.storedAt !== null && r.encryptionKeyId !== null)).toBe(true);
    expect(await chunksOf()).toEqual(chunksBefore);

    const before = filestoreChecksums(client.filestore());
    fs.rmSync(client.filestore(), { recursive: true });
    const restore = await createRestore(t.db, plugins, owner, { backupId: backup.id, target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(filestoreChecksums(client.filestore())).toEqual(before);
  });

  it("imports a backup whose object is gone from storage as unverified", async () => {
    const backup = await backUp();
    await forgetBackups();
    const objects = path.join(setup.storageDir, "objects", owner.orgId);
    const victim = listFiles(objects)[0]!;
    fs.rmSync(path.join(objects, victim));
    await importCatalog(t.db, plugins, owner, setup.storage.id);
    const [imported] = await t.db.select().from(backups).where(eq(backups.id, backup.id));
    expect(imported).toMatchObject({ verified: false });
  });
});
