import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { artifactKey } from "@/server/backups/keys";
import { runCopy } from "@/server/copies/run-copy";
import { backupArtifacts, backupCopies, backupFilestoreObjects, backups, filestoreObjects, storageLocations } from "@/server/db/schema";
import { filestoreObjectKey } from "@/server/filestore/object-key";
import { sweepLocation } from "@/server/filestore/sweep";
import { deleteBackup } from "@/server/services/backup-lifecycle";
import { openStorage } from "@/server/services/plugin-config";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { reference, storedKeys, storeObject, type ObjectPlace } from "../helpers/filestore-objects";
import { startS3Storage } from "../helpers/storage-servers/s3";
import type { StorageTarget } from "../helpers/storage-servers/types";

/** Second copies of incremental filestore backups: a local primary copied to a real S3-compatible server. */
const plugins = builtinPluginHost();

describe("second copies of incremental filestores", () => {
  let t: TestDatabase;
  let owner: Principal;
  let s3: StorageTarget;
  let primary: ObjectPlace;
  let copyPlace: ObjectPlace;
  let storageDir: string;
  let newBackup: (name: string, objects: string[]) => Promise<{ id: string; copyId: string }>;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Copies of objects"));
    const setup = await createBackupSetup(t.db, plugins, owner);
    storageDir = setup.storageDir;
    s3 = await startS3Storage();
    const second = await createStorageLocation(t.db, plugins, owner, { name: "Offsite S3", provider: "s3", config: s3.config });
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "shop" });
    const open = async (id: string): Promise<ObjectPlace> => {
      const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, id));
      return { orgId: owner.orgId, locationId: id, storage: await openStorage(plugins, location!) };
    };
    primary = await open(setup.storage.id);
    copyPlace = await open(second.id);
    // A completed backup whose filestore artifact is an index (its bytes stand in for one) naming `objects`, with its copy pending.
    newBackup = async (name, objects) => {
      const [row] = await t.db
        .insert(backups)
        .values({ orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: primary.locationId, status: "completed", type: "manual", retentionClass: "daily", name })
        .returning();
      const index = Buffer.from(`index of ${name}`);
      const key = artifactKey(row!, "filestore", "index.jsonl.gz");
      await primary.storage.put(key, Readable.from([index]));
      await t.db.insert(backupArtifacts).values({ backupId: row!.id, kind: "filestore", key, size: index.length, sha256: createHash("sha256").update(index).digest("hex"), layout: "objects" });
      await reference(t.db, row!.id, primary.locationId, objects);
      const [copy] = await t.db.insert(backupCopies).values({ backupId: row!.id, storageLocationId: copyPlace.locationId }).returning({ id: backupCopies.id });
      return { id: row!.id, copyId: copy!.id };
    };
  });

  afterAll(async () => {
    await primary?.storage.close();
    await copyPlace?.storage.close();
    await s3?.stop();
    await t?.drop();
  });

  const copy = (copyId: string) => runCopy(t.db, plugins, copyId, { number: 1, max: 2 }, new AbortController().signal);
  const storedAt = async (id: string) => {
    const [row] = await t.db
      .select({ storedAt: filestoreObjects.storedAt })
      .from(filestoreObjects)
      .where(and(eq(filestoreObjects.storageLocationId, copyPlace.locationId), eq(filestoreObjects.id, id)));
    return row?.storedAt ?? null;
  };
  const referencedThere = async (backupId: string) =>
    (await t.db.select({ id: backupFilestoreObjects.objectId }).from(backupFilestoreObjects).where(and(eq(backupFilestoreObjects.backupId, backupId), eq(backupFilestoreObjects.storageLocationId, copyPlace.locationId))))
      .map((r) => r.id)
      .sort();

  it("copies each object once: a second backup's copy carries only its new files; deleting both frees the copy location", async () => {
    const [a, b, c] = [await storeObject(t.db, primary, Buffer.from("invoice-1.pdf")), await storeObject(t.db, primary, Buffer.from("logo.png")), await storeObject(t.db, primary, Buffer.from("invoice-2.pdf"))];
    const first = await newBackup("first", [a, b]);
    expect(await copy(first.copyId)).toEqual({ status: "completed" });
    expect(await storedKeys(copyPlace)).toEqual([a, b].map((id) => filestoreObjectKey(owner.orgId, id)).sort());
    expect(await referencedThere(first.id)).toEqual([a, b].sort());
    const [aStored, bStored] = [await storedAt(a), await storedAt(b)];
    expect(aStored).not.toBeNull();

    const second = await newBackup("second", [a, b, c]);
    expect(await copy(second.copyId)).toEqual({ status: "completed" });
    expect(await storedKeys(copyPlace)).toEqual([a, b, c].map((id) => filestoreObjectKey(owner.orgId, id)).sort());
    // Written once: the objects the first copy stored were not written again.
    expect([await storedAt(a), await storedAt(b)]).toEqual([aStored, bStored]);
    expect(await storedAt(c)).not.toBeNull();
    expect(await referencedThere(second.id)).toEqual([a, b, c].sort());
    const [copied] = await t.db.select().from(backupCopies).where(eq(backupCopies.id, second.copyId));
    expect(copied).toMatchObject({ status: "completed", error: null });

    await deleteBackup(t.db, plugins, owner, first.id);
    expect((await sweepLocation(t.db, plugins, copyPlace.locationId))?.objects).toBe(0);
    await deleteBackup(t.db, plugins, owner, second.id);
    expect((await sweepLocation(t.db, plugins, copyPlace.locationId))?.objects).toBe(3);
    expect(await storedKeys(copyPlace)).toEqual([]);
  });

  it("carries a large file's chunk hashes to the copy location's catalog", async () => {
    const id = await storeObject(t.db, primary, randomBytes(2 * 1024 * 1024 + 17));
    const backup = await newBackup("large", [id]);
    expect(await copy(backup.copyId)).toEqual({ status: "completed" });
    const chunksIn = async (locationId: string) =>
      (await t.db.select({ chunks: filestoreObjects.chunks }).from(filestoreObjects).where(and(eq(filestoreObjects.storageLocationId, locationId), eq(filestoreObjects.id, id))))[0]?.chunks;
    expect(await chunksIn(primary.locationId)).toHaveLength(3);
    expect(await chunksIn(copyPlace.locationId)).toEqual(await chunksIn(primary.locationId));
  });

  it("refuses an object whose bytes in the source location no longer match the catalog, naming it", async () => {
    const content = Buffer.from("contract.pdf, as stored");
    const id = await storeObject(t.db, primary, content);
    // Same size, other bytes: only the hash can tell.
    fs.writeFileSync(path.join(storageDir, filestoreObjectKey(owner.orgId, id)), Buffer.from("contract.pdf, tampered"));
    const backup = await newBackup("tampered", [id]);
    const outcome = await copy(backup.copyId);
    expect(outcome).toMatchObject({ status: "retry" });
    expect(outcome.status === "retry" && outcome.error).toContain(`Filestore object ${id.slice(0, 12)}… read from`);
    expect(await storedAt(id)).toBeNull();
    expect(await referencedThere(backup.id)).toEqual([]);
  });
});
