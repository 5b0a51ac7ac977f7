import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { currentMasterKey } from "@/server/crypto/secret-key";
import { latestSelfBackup } from "@/server/self-backup/load-self-backup";
import { openStorage } from "@/server/services/plugin-config";
import { enqueueDueSelfBackup, getSelfBackup, runSelfBackupNow, updateSelfBackup } from "@/server/services/self-backup";
import { selfBackupSettings, storageLocations } from "@/server/db/schema";
import { createBackupSetup, startTestWorker } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let admin: Principal;
let otherAdmin: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
const plugins = builtinPluginHost();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { admin } } = await createOrgWithMembers(t.db, "Self"));
  ({ principals: { admin: otherAdmin } } = await createOrgWithMembers(t.db, "Other"));
  setup = await createBackupSetup(t.db, plugins, admin);
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  await t?.drop();
});

async function waitForRun() {
  for (let i = 0; i < 300; i++) {
    const view = await getSelfBackup(t.db, admin);
    if (view.runs[0] && view.runs[0].status !== "running") return view.runs[0];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("self-backup still running");
}

describe("the console's self-backup", () => {
  it("checks its settings and keeps them to the organization that set them", async () => {
    await expect(updateSelfBackup(t.db, admin, { enabled: true, schedule: "not cron", storageLocationId: setup.storage.id })).rejects.toThrow(/Not a cron schedule/);
    await expect(updateSelfBackup(t.db, admin, { enabled: true, schedule: "0 3 * * *", storageLocationId: null })).rejects.toThrow(/Choose where the console's self-backups go/);
    await expect(updateSelfBackup(t.db, otherAdmin, { enabled: true, schedule: "0 3 * * *", storageLocationId: setup.storage.id })).rejects.toThrow(/Storage location not found/);
    await updateSelfBackup(t.db, admin, { enabled: true, schedule: "0 3 * * *", storageLocationId: setup.storage.id });
    await expect(getSelfBackup(t.db, otherAdmin)).rejects.toThrow(/managed by another organization/);
  });

  it("queues one run per schedule slot, none for a slot before the settings were saved", async () => {
    const now = new Date();
    expect(await enqueueDueSelfBackup(t.db, now)).toBe(false);
    await t.db.update(selfBackupSettings).set({ updatedAt: new Date(now.getTime() - 3 * 24 * 3600 * 1000) });
    expect(await enqueueDueSelfBackup(t.db, now)).toBe(true);
    expect(await enqueueDueSelfBackup(t.db, now)).toBe(false);
    expect((await waitForRun()).status).toBe("completed");
  });

  it("backs up now: an encrypted dump and a signed manifest that recover finds with the secret key, and no other key", async () => {
    await runSelfBackupNow(t.db, admin);
    const run = await waitForRun();
    expect(run, run.error ?? "").toMatchObject({ status: "completed", scheduled: false, key: expect.stringMatching(/^safehold-console\/.+\/console\.sql\.gz\.age$/) });
    expect(fs.readFileSync(path.join(setup.storageDir, run.key!)).subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
    const storage = await openStorage(plugins, location!);
    expect(await latestSelfBackup(storage, currentMasterKey())).toMatchObject({ key: run.key, size: run.sizeBytes });
    expect(await latestSelfBackup(storage, Buffer.alloc(32, 7))).toBeNull();
  });

  it("refuses to back up now while no location is chosen", async () => {
    await t.db.update(selfBackupSettings).set({ storageLocationId: null });
    await expect(runSelfBackupNow(t.db, admin)).rejects.toThrow(/Choose where the console's self-backups go first/);
  });
});
