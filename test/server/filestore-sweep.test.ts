import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupFilestoreObjects, backups, storageLocations } from "@/server/db/schema";
import { reapStaleBackups } from "@/server/backups/reap-stale";
import { closeDb } from "@/server/db";
import { asObjectWriter } from "@/server/filestore/location-lock";
import { filestoreObjectKey } from "@/server/filestore/object-key";
import { sweepLocation } from "@/server/filestore/sweep";
import { sweepJobKey } from "@/server/filestore/sweep-queue";
import { runRetentionPass } from "@/server/retention/retention-pass";
import { sweepFilestoreTask } from "@/server/jobs/tasks/filestore/sweep";
import { deleteBackup } from "@/server/services/backup-lifecycle";
import { openStorage } from "@/server/services/plugin-config";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase, startTestWorker } from "../helpers/backup-env";
import { createTestDatabase, waitForLockWait, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { catalogIds, isCatalogued, plainObjectId, reference, storedKeys, storeObject, type ObjectPlace } from "../helpers/filestore-objects";

const plugins = builtinPluginHost();

/** A promise the test resolves when it chooses: how a writer or a sweep is held at one point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("the filestore sweep", () => {
  let t: TestDatabase;
  let owner: Principal;
  let place: ObjectPlace;
  let storageDir: string;
  let newBackup: (name: string) => Promise<string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Sweep"));
    const setup = await createBackupSetup(t.db, plugins, owner);
    storageDir = setup.storageDir;
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "shop" });
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
    place = { orgId: owner.orgId, locationId: location!.id, storage: await openStorage(plugins, location!) };
    newBackup = async (name) => {
      const [row] = await t.db
        .insert(backups)
        .values({ orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: place.locationId, status: "completed", type: "manual", retentionClass: "daily", name })
        .returning({ id: backups.id });
      return row!.id;
    };
  });

  afterAll(async () => {
    await place?.storage.close();
    await t?.drop();
  });

  /** Empties the location between tests: no backup left, then a sweep. */
  async function clear() {
    await t.db.delete(backups).where(eq(backups.storageLocationId, place.locationId));
    await sweepLocation(t.db, plugins, place.locationId);
  }

  /** After `clear`, an object stored and catalogued for a backup since deleted: the next sweep's to remove. */
  async function orphanedObject(content: Buffer): Promise<string> {
    await clear();
    const earlier = await newBackup("earlier");
    const id = await storeObject(t.db, place, content);
    await reference(t.db, earlier, place.locationId, [id]);
    await t.db.delete(backups).where(eq(backups.id, earlier));
    return id;
  }

  /**
   * What a backup does for one file, as the writer protocol says: under the writer lock, an object catalogued as
   * stored is only referenced; one that is not (or no longer) is written again. `checked` runs between the two.
   */
  function writeForBackup(backupId: string, content: Buffer, checked?: (present: boolean) => Promise<void>) {
    return asObjectWriter(t.db, place.locationId, async () => {
      const id = plainObjectId(content);
      const present = await isCatalogued(t.db, place.locationId, id);
      await checked?.(present);
      if (!present) await storeObject(t.db, place, content);
      await reference(t.db, backupId, place.locationId, [id]);
      return { wroteAgain: !present };
    });
  }

  it("keeps every object a remaining backup references, and removes all once no backup does", async () => {
    const shared = Buffer.from("an attachment both backups hold");
    const onlyFirst = Buffer.from("a file deleted before the second backup");
    const onlySecond = Buffer.from("a file added after the first backup");
    const first = await newBackup("first");
    const second = await newBackup("second");
    const [s, f, n] = [await storeObject(t.db, place, shared), await storeObject(t.db, place, onlyFirst), await storeObject(t.db, place, onlySecond)];
    await reference(t.db, first, place.locationId, [s, f]);
    await reference(t.db, second, place.locationId, [s, n]);

    await deleteBackup(t.db, plugins, owner, first);
    const [job] = await t.sql<{ payload: { storageLocationId: string } }[]>`select payload from graphile_worker._private_jobs where key = ${sweepJobKey(place.locationId)}`;
    expect(job?.payload).toEqual({ storageLocationId: place.locationId });
    expect(await sweepLocation(t.db, plugins, place.locationId)).toEqual({ objects: 1, bytes: onlyFirst.length, leftovers: 0, leftoverBytes: 0 });
    expect(await storedKeys(place)).toEqual([s, n].map((id) => filestoreObjectKey(owner.orgId, id)).sort());
    expect(await catalogIds(t.db, place.locationId)).toEqual([s, n].sort());

    await deleteBackup(t.db, plugins, owner, second);
    expect(await sweepLocation(t.db, plugins, place.locationId)).toEqual({ objects: 2, bytes: shared.length + onlySecond.length, leftovers: 0, leftoverBytes: 0 });
    expect(await storedKeys(place)).toEqual([]);
    expect(await catalogIds(t.db, place.locationId)).toEqual([]);
  });

  it("lets retention's expiry release a backup's objects, which the next sweep removes", async () => {
    await clear();
    const id = await newBackup("daily");
    // No policy keeps a daily manual backup past its expiry date.
    await t.db.update(backups).set({ expiresAt: new Date(Date.now() - 60_000), createdAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(backups.id, id));
    const keep = await newBackup("newest");
    const object = await storeObject(t.db, place, Buffer.from("expires with its backup"));
    await reference(t.db, id, place.locationId, [object]);
    expect((await runRetentionPass(t.db, plugins)).expired).toBe(1);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, id))).toEqual([]);
    expect((await sweepLocation(t.db, plugins, place.locationId))?.objects).toBe(1);
    await t.db.delete(backups).where(eq(backups.id, keep));
  });

  it("removes stored objects the catalog never named once they are a day old, and leaves younger ones to their writer", async () => {
    await clear();
    const old = filestoreObjectKey(owner.orgId, "ab".padEnd(40, "1"));
    const young = filestoreObjectKey(owner.orgId, "cd".padEnd(40, "2"));
    await place.storage.put(old, Readable.from([Buffer.from("left by a crash")]));
    await place.storage.put(young, Readable.from([Buffer.from("being catalogued")]));
    const dayAndMore = new Date(Date.now() - 25 * 3600_000);
    fs.utimesSync(path.join(storageDir, old), dayAndMore, dayAndMore);
    expect(await sweepLocation(t.db, plugins, place.locationId)).toEqual({ objects: 0, bytes: 0, leftovers: 1, leftoverBytes: "left by a crash".length });
    expect(await storedKeys(place)).toEqual([young]);
    await place.storage.delete(young);
  });

  it("lets a backup whose worker died release the objects it had referenced", async () => {
    await clear();
    const backup = await newBackup("interrupted run");
    await t.db.update(backups).set({ status: "uploading", heartbeatAt: new Date(Date.now() - 3600_000) }).where(eq(backups.id, backup));
    const id = await storeObject(t.db, place, Buffer.from("referenced before the worker died"));
    await reference(t.db, backup, place.locationId, [id]);
    expect((await reapStaleBackups(t.db, plugins)).reaped).toEqual([backup]);
    expect(await t.db.select().from(backupFilestoreObjects).where(eq(backupFilestoreObjects.backupId, backup))).toEqual([]);
    expect((await sweepLocation(t.db, plugins, place.locationId))?.objects).toBe(1);
  });

  it("does not sweep while a backup is writing: the sweep reports busy and the object the backup relies on stays", async () => {
    const content = Buffer.from("unreferenced until the second backup takes it");
    const id = await orphanedObject(content);

    const later = await newBackup("later");
    const checked = gate();
    const resume = gate();
    const writing = writeForBackup(later, content, async (present) => {
      expect(present).toBe(true);
      checked.open();
      await resume.opened;
    });
    await checked.opened;
    // The backup has seen the object stored and is about to reference it.
    expect(await sweepLocation(t.db, plugins, place.locationId)).toBeNull();
    expect(await storedKeys(place)).toEqual([filestoreObjectKey(owner.orgId, id)]);
    expect(await isCatalogued(t.db, place.locationId, id)).toBe(true);
    resume.open();
    expect(await writing).toEqual({ wroteAgain: false });

    expect(await sweepLocation(t.db, plugins, place.locationId)).toMatchObject({ objects: 0 });
    expect(await storedKeys(place)).toEqual([filestoreObjectKey(owner.orgId, id)]);
  });

  it("makes a backup that starts during a sweep wait for it, then write the swept object again", async () => {
    const content = Buffer.from("swept just as a backup wants it");
    const id = await orphanedObject(content);

    // The test holds the object's catalog row: the sweep, inside its lock, waits on it.
    const hold = gate();
    const held = gate();
    const holding = t.sql.begin(async (tx) => {
      await tx`select 1 from filestore_objects where storage_location_id = ${place.locationId} and id = ${id} for no key update`;
      held.open();
      await hold.opened;
    });
    await held.opened;
    const sweeping = sweepLocation(t.db, plugins, place.locationId);
    await waitForLockWait(t, "transactionid");

    const later = await newBackup("later");
    let entered = false;
    const writing = writeForBackup(later, content, async (present) => {
      entered = true;
      expect(present).toBe(false);
    });
    await waitForLockWait(t, "advisory");
    expect(entered).toBe(false);

    hold.open();
    await holding;
    expect(await sweeping).toMatchObject({ objects: 1 });
    expect(await writing).toEqual({ wroteAgain: true });
    expect(await storedKeys(place)).toEqual([filestoreObjectKey(owner.orgId, id)]);
    expect(await isCatalogued(t.db, place.locationId, id)).toBe(true);
    expect((await sweepLocation(t.db, plugins, place.locationId))?.objects).toBe(0);
  });

  it("as a job, tries again in 10 minutes when a backup holds the location", async () => {
    await clear();
    pointProcessAtDatabase(t);
    const entered = gate();
    const resume = gate();
    const writing = writeForBackup(await newBackup("long"), Buffer.from("a file of a long backup"), async () => {
      entered.open();
      await resume.opened;
    });
    await entered.opened;
    const logged: string[] = [];
    const helpers = { logger: { info: (line: string) => logged.push(line) }, job: { id: "1" } } as unknown as JobHelpers;
    try {
      await sweepFilestoreTask({ storageLocationId: place.locationId }, helpers);
    } finally {
      await closeDb();
    }
    const [job] = await t.sql<{ run_at: Date }[]>`select run_at from graphile_worker._private_jobs where key = ${sweepJobKey(place.locationId)}`;
    expect(job!.run_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(logged).toEqual([`Filestore sweep of location ${place.locationId}: objects are being written, trying again in 10 minutes`]);
    resume.open();
    await writing;
  });

  it("is run by the worker once a backup is deleted", async () => {
    await clear();
    const backup = await newBackup("deleted from the console");
    const id = await storeObject(t.db, place, Buffer.from("only this backup held it"));
    await reference(t.db, backup, place.locationId, [id]);
    const worker = await startTestWorker(t, 1);
    try {
      await deleteBackup(t.db, plugins, owner, backup);
      await expect.poll(() => storedKeys(place), { timeout: 20_000, interval: 200 }).toEqual([]);
      expect(await catalogIds(t.db, place.locationId)).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it("frees the location when the process holding it dies", async () => {
    await clear();
    const holder = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "../helpers/hold-object-writer.ts"), t.url, place.locationId], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(holder, "exit");
    const [line] = (await once(holder.stdout!, "data")) as [Buffer];
    expect(line.toString()).toBe("holding\n");
    expect(await sweepLocation(t.db, plugins, place.locationId)).toBeNull();
    holder.kill("SIGKILL");
    await exited;
    // PostgreSQL sees the connection close and drops the session's locks with it.
    for (let i = 0; i < 100; i++) {
      const swept = await sweepLocation(t.db, plugins, place.locationId);
      if (swept) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("The killed writer's lock was never released");
  });
});
