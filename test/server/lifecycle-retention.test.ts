import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { artifactKey } from "@/server/backups/keys";
import { activityLog, backupArtifacts, backups, environments, storageLocations } from "@/server/db/schema";
import { decideArchivedRetention, decideRetention, type RetentionCandidate } from "@/server/retention/gfs";
import { runRetentionPass } from "@/server/retention/retention-pass";
import { openStorage } from "@/server/services/plugin-config";
import { retentionPreview } from "@/server/services/retention-preview";
import { createBackupSetup, createPostgresEnvironment, listFiles } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

const plugins = builtinPluginHost();
const NOW = new Date(Date.UTC(2026, 10, 30, 3));
const DAY = 86_400_000;
const none = { retention: { daily: 0, weekly: 0, monthly: 0, yearly: 0 }, timezone: "UTC" };
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY);
const candidate = (id: string, daysAgo: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate => ({
  id,
  type: "scheduled",
  retentionClass: "daily",
  takenAt: at(daysAgo),
  expiresAt: null,
  ...extra,
});

describe("pinned, held and archived backups under retention", () => {
  it("keeps pinned and held backups whatever GFS and their class say", () => {
    const decisions = decideRetention(
      [
        candidate("newest", 0),
        candidate("pinned scheduled", 40, { pinned: true }),
        candidate("held pre-upgrade", 30, { type: "pre_upgrade", retentionClass: "daily", expiresAt: at(23), held: true }),
        candidate("released pre-upgrade", 30, { type: "pre_upgrade", retentionClass: "daily", expiresAt: at(23) }),
        candidate("plain scheduled", 20),
      ],
      none,
      NOW,
    );
    expect(Object.fromEntries(decisions.map((d) => [d.id, d.reasons]))).toEqual({
      newest: ["newest"],
      "pinned scheduled": ["pinned"],
      "held pre-upgrade": ["held"],
      "released pre-upgrade": [],
      "plain scheduled": [],
    });
  });

  it("keeps a destroyed environment's backups until the chosen date, then none but pinned ones; permanently when there is no date", () => {
    const list = [candidate("newest", 1), candidate("old scheduled", 400), candidate("pinned", 500, { pinned: true }), candidate("permanent class", 10, { type: "manual", retentionClass: "permanent" })];
    const kept = (until: Date | null) =>
      decideArchivedRetention(list, until, NOW)
        .filter((d) => d.keep)
        .map((d) => d.id);
    expect(kept(at(-90))).toEqual(["newest", "permanent class", "old scheduled", "pinned"]);
    expect(kept(null)).toEqual(["newest", "permanent class", "old scheduled", "pinned"]);
    // Past the date: GFS, classes and "newest" no longer hold anything back.
    expect(kept(at(1))).toEqual(["pinned"]);
  });
});

describe("the retention pass over a destroyed environment", () => {
  let t: TestDatabase;
  let owner: Principal;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Retention Lifecycle"));
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("keeps its backups until the chosen date, then removes their files; pinned ones stay", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const source = { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "gone" };
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, source, "destroyed");
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
    const storage = await openStorage(plugins, location!);
    const base = { orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: setup.storage.id, status: "completed" as const };
    const rows = await t.db
      .insert(backups)
      .values([
        { ...base, type: "pre_destroy" as const, name: "final", retentionClass: "permanent" as const, createdAt: at(95) },
        { ...base, type: "scheduled" as const, name: "scheduled", retentionClass: "daily" as const, scheduledFor: at(96), createdAt: at(96) },
        { ...base, type: "manual" as const, name: "pinned", retentionClass: "daily" as const, createdAt: at(120), expiresAt: at(113), pinned: true },
      ])
      .returning();
    for (const row of rows) {
      const key = artifactKey(row, "database");
      const { size } = await storage.put(key, Readable.from([Buffer.from(`dump of ${row.id}`)]));
      await t.db.insert(backupArtifacts).values({ backupId: row.id, kind: "database", key, size, sha256: "0".repeat(64) });
    }
    await storage.close();

    // Destroyed 95 days before NOW, kept for 90 days: the date is 5 days past. Checked first just before it.
    const destroyedAt = at(95);
    await t.db.update(environments).set({ archivedAt: destroyedAt, keepBackups: "90_days", keepBackupsUntil: new Date(destroyedAt.getTime() + 90 * DAY) }).where(eq(environments.id, environment.id));
    expect(await runRetentionPass(t.db, plugins, at(6))).toMatchObject({ examined: 3, expired: 0 });

    const preview = await retentionPreview(t.db, owner, environment.id, NOW);
    expect(Object.fromEntries(preview.items.map((i) => [i.name, i.reasons]))).toEqual({ final: [], scheduled: [], pinned: ["pinned"] });

    expect(await runRetentionPass(t.db, plugins, NOW)).toMatchObject({ examined: 3, expired: 2, failed: 0 });
    const after = await t.db.select().from(backups).where(eq(backups.environmentId, environment.id));
    expect(Object.fromEntries(after.map((b) => [b.name, b.status]))).toEqual({ final: "expired", scheduled: "expired", pinned: "completed" });
    expect(listFiles(setup.storageDir)).toHaveLength(1);
    const [expired] = await t.db.select().from(activityLog).where(eq(activityLog.action, "backup.expire"));
    expect(expired!.message).toBe("The environment was destroyed and its final backups were kept until now; its files were removed");
  });

  it("never expires the backups of an environment destroyed with its backups kept permanently", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "kept" }, "kept forever");
    await t.db.insert(backups).values({ orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: setup.storage.id, status: "completed", type: "scheduled", retentionClass: "daily", scheduledFor: at(900), createdAt: at(900) });
    await t.db.update(environments).set({ archivedAt: at(899), keepBackups: "permanent", keepBackupsUntil: null }).where(eq(environments.id, environment.id));
    expect(await runRetentionPass(t.db, plugins, NOW)).toMatchObject({ expired: 0 });
    expect((await retentionPreview(t.db, owner, environment.id, NOW)).items[0]!.reasons).toEqual(["archived"]);
  });
});
