import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups, storageLocations } from "@/server/db/schema";
import { storageUsage } from "@/server/services/dashboard-queries";
import { openStorage } from "@/server/services/plugin-config";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { reference, storeObject, type ObjectPlace } from "../helpers/filestore-objects";

/** Storage use with incremental filestores: two environments of one client whose backups share a file. */
const plugins = builtinPluginHost();

describe("storage use of shared filestore objects", () => {
  let t: TestDatabase;
  let viewer: Principal;
  let locationId: string;
  let projectId: string;
  let environments: string[];

  beforeAll(async () => {
    t = await createTestDatabase();
    const { principals } = await createOrgWithMembers(t.db, "Usage");
    viewer = principals.viewer;
    const owner = principals.owner;
    const setup = await createBackupSetup(t.db, plugins, owner);
    locationId = setup.storage.id;
    projectId = setup.project.id;
    const source = { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "shop" };
    environments = [(await createPostgresEnvironment(t.db, plugins, owner, setup, source, "production")).id, (await createPostgresEnvironment(t.db, plugins, owner, setup, source, "staging")).id];
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, locationId));
    const place: ObjectPlace = { orgId: owner.orgId, locationId, storage: await openStorage(plugins, location!) };
    // 10 bytes both backups hold, 20 only the first's, 30 only the second's.
    const [shared, first, second] = [await storeObject(t.db, place, Buffer.alloc(10, "s")), await storeObject(t.db, place, Buffer.alloc(20, "f")), await storeObject(t.db, place, Buffer.alloc(30, "n"))];
    await place.storage.close();
    const backup = async (environmentId: string, sizeBytes: number, status: "completed" | "failed" = "completed") => {
      const [row] = await t.db
        .insert(backups)
        .values({ orgId: owner.orgId, projectId, environmentId, storageLocationId: locationId, status, type: "manual", retentionClass: "daily", sizeBytes })
        .returning({ id: backups.id });
      return row!.id;
    };
    // Each backup's own files (database dump, filestore index): 100 and 200 bytes.
    await reference(t.db, await backup(environments[0]!, 100), locationId, [shared, first]);
    await reference(t.db, await backup(environments[1]!, 200), locationId, [shared, second]);
    // A failed backup's references are not storage use.
    await reference(t.db, await backup(environments[1]!, 0, "failed"), locationId, [shared, second]);
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("counts each stored object once per location and says what sharing saved", async () => {
    const page = await callerFor(t.db, plugins, viewer).storageLocations.list({});
    expect(page.items.find((l) => l.id === locationId)).toMatchObject({ backupCount: 3, bytesUsed: 100 + 200 + 10 + 20 + 30, dedupSavedBytes: 10 });
    expect((await storageUsage(t.db, viewer.orgId)).find((l) => l.storageLocationId === locationId)).toMatchObject({ usedBytes: 360, dedupSavedBytes: 10 });
  });

  it("counts a file shared by a client's environments once for the client, and once in each environment", async () => {
    const health = await callerFor(t.db, plugins, viewer).fleet.health({ projectId });
    const [project] = health.projects;
    expect(project).toMatchObject({ storedBytes: 360, dedupSavedBytes: 10 });
    expect(Object.fromEntries(project!.environments.map((e) => [e.environmentId, e.storedBytes]))).toEqual({ [environments[0]!]: 100 + 10 + 20, [environments[1]!]: 200 + 10 + 30 });
  });
});
