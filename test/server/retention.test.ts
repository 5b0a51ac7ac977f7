import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { artifactKey, backupPrefix } from "@/server/backups/keys";
import { activityLog, backupArtifacts, backups, storageLocations } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { decideRetention, type RetentionCandidate } from "@/server/retention/gfs";
import { runRetentionPass } from "@/server/retention/retention-pass";
import { putOverride } from "@/server/services/backup-policies";
import { openStorage } from "@/server/services/plugin-config";
import { retentionPreview } from "@/server/services/retention-preview";
import { createBackupSetup, createPostgresEnvironment, listFiles } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { freePort } from "../helpers/ports";

const plugins = builtinPluginHost();
const source = { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "d" };
const DAY = 86_400_000;
/** A synthetic year of daily scheduled backups at 02:00 UTC, 2025-12-01 … 2026-11-30 (a Monday); the pass runs an hour after the last. */
const FIRST = Date.UTC(2025, 11, 1, 2);
const NOW = new Date(Date.UTC(2026, 10, 30, 3));
const yearOfDays = Array.from({ length: 365 }, (_, i) => new Date(FIRST + i * DAY));
const day = (d: Date) => d.toISOString().slice(0, 10);

/** What 7/4/12/2 must keep from that year, worked out by hand. */
const EXPECTED_SCHEDULED = [
  // daily 7: the last seven days
  ...["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"],
  // weekly 4: the newest of the last four ISO weeks: 11-30 (its week's only day so far), 11-29, 11-22, 11-15
  ...["2026-11-15", "2026-11-22"],
  // monthly 12: the last day of each month from December 2025 (November's is 11-30)
  ...["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"],
  // yearly 2: 2026 → 11-30 and 2025 → 12-31, both already kept
].sort();

const scheduled = (at: Date, i: number): RetentionCandidate => ({ id: `s${String(i).padStart(3, "0")}`, type: "scheduled", retentionClass: "daily", takenAt: at, expiresAt: null });

describe("GFS retention rules", () => {
  it("keeps exactly the expected set of a year of daily backups with daily 7, weekly 4, monthly 12, yearly 2", () => {
    const decisions = decideRetention(yearOfDays.map(scheduled), BUILT_IN_POLICY, NOW);
    const kept = decisions.filter((d) => d.keep).map((d) => day(yearOfDays[Number(d.id.slice(1))]!));
    expect(kept.sort()).toEqual(EXPECTED_SCHEDULED);
    const reasonsOf = (date: string) => decisions.find((d) => day(yearOfDays[Number(d.id.slice(1))]!) === date)!.reasons;
    expect(reasonsOf("2026-11-30")).toEqual(["newest", "daily", "weekly", "monthly", "yearly"]);
    expect(reasonsOf("2026-11-22")).toEqual(["weekly"]);
    expect(reasonsOf("2025-12-31")).toEqual(["monthly", "yearly"]);
    expect(reasonsOf("2026-11-23")).toEqual([]);
  });

  it("counts days in the policy's time zone", () => {
    // 23:30 and 00:30 UTC are two days in UTC but one (the 29th) in Brussels.
    const candidates = [new Date(Date.UTC(2026, 10, 27, 12)), new Date(Date.UTC(2026, 10, 28, 23, 30)), new Date(Date.UTC(2026, 10, 29, 0, 30))].map(scheduled);
    const keep = { retention: { daily: 2, weekly: 0, monthly: 0, yearly: 0 } };
    const kept = (timezone: string) => decideRetention(candidates, { ...keep, timezone }, NOW).filter((d) => d.keep).map((d) => d.id);
    expect(kept("UTC")).toEqual(["s002", "s001"]);
    expect(kept("Europe/Brussels")).toEqual(["s002", "s000"]);
  });

  it("keeps manual backups by their class, permanent ones always, and the newest backup even when every count is 0", () => {
    const none = { retention: { daily: 0, weekly: 0, monthly: 0, yearly: 0 }, timezone: "UTC" };
    const decisions = decideRetention(
      [
        scheduled(new Date(Date.UTC(2026, 10, 29, 2)), 1),
        { id: "permanent", type: "manual", retentionClass: "permanent", takenAt: new Date(Date.UTC(2024, 0, 1)), expiresAt: null },
        { id: "weekly-live", type: "manual", retentionClass: "weekly", takenAt: new Date(Date.UTC(2026, 10, 1)), expiresAt: new Date(Date.UTC(2026, 11, 1)) },
        { id: "daily-over", type: "pre_restore", retentionClass: "daily", takenAt: new Date(Date.UTC(2026, 10, 1)), expiresAt: new Date(Date.UTC(2026, 10, 8)) },
      ],
      none,
      NOW,
    );
    expect(Object.fromEntries(decisions.map((d) => [d.id, d.reasons]))).toEqual({ s001: ["newest"], permanent: ["permanent"], "weekly-live": ["class"], "daily-over": [] });
  });
});

describe("the retention pass", () => {
  let t: TestDatabase;
  let owner: Principal;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Retention"));
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("expires what a year of daily backups no longer needs, removes its files, and keeps the rest and the permanent one", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, source);
        await putOverride(t.db, owner, environment.id, { retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 } });
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
    const storage = await openStorage(plugins, location!);

    const base = { orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: setup.storage.id, status: "completed" as const };
    const rows = await t.db
      .insert(backups)
      .values([
        ...yearOfDays.map((at) => ({ ...base, type: "scheduled" as const, retentionClass: "daily" as const, scheduledFor: at, createdAt: at, finishedAt: at })),
        { ...base, type: "manual" as const, name: "Before go-live", retentionClass: "permanent" as const, createdAt: new Date(Date.UTC(2026, 0, 15)) },
        { ...base, type: "manual" as const, name: "Old daily", retentionClass: "daily" as const, createdAt: new Date(Date.UTC(2026, 5, 1)), expiresAt: new Date(Date.UTC(2026, 5, 8)) },
      ])
      .returning();
    for (const row of rows) {
      const key = artifactKey(row, "database");
      const { size } = await storage.put(key, Readable.from([Buffer.from(`dump of ${row.id}`)]));
      await t.db.insert(backupArtifacts).values({ backupId: row.id, kind: "database", key, size, sha256: "0".repeat(64) });
    }

    // The preview says beforehand what the pass will do, and why it keeps what it keeps.
    const preview = await retentionPreview(t.db, owner, environment.id, NOW);
    expect(preview.items.filter((i) => !i.keep)).toHaveLength(365 - EXPECTED_SCHEDULED.length + 1);
    expect(preview.items.find((i) => i.name === "Before go-live")?.reasons).toEqual(["permanent"]);
    expect(preview.items.find((i) => i.takenAt.startsWith("2026-10-31"))?.reasons).toEqual(["monthly"]);

    const result = await runRetentionPass(t.db, plugins, NOW);
    expect(result).toEqual({ examined: 367, expired: 365 - EXPECTED_SCHEDULED.length + 1, failed: 0 });

    const after = await t.db.select().from(backups).where(eq(backups.environmentId, environment.id));
    const survivors = after.filter((b) => b.status === "completed");
    expect(survivors.filter((b) => b.type === "scheduled").map((b) => day(b.scheduledFor!)).sort()).toEqual(EXPECTED_SCHEDULED);
    expect(survivors.filter((b) => b.type === "manual").map((b) => b.name)).toEqual(["Before go-live"]);
    expect(after.filter((b) => b.status === "expired")).toHaveLength(result.expired);

    // Only the survivors still have files; every expired backup's folder is empty.
    const files = listFiles(setup.storageDir);
    expect(files).toHaveLength(survivors.length);
    for (const b of after) {
      const present = files.some((f) => f.startsWith(backupPrefix(b)));
      expect(present).toBe(b.status === "completed");
    }
    const recorded = await t.db.select().from(activityLog).where(eq(activityLog.action, "backup.expire"));
    expect(recorded).toHaveLength(result.expired);
    expect(recorded.every((r) => r.outcome === "success" && r.actorLabel === "Safehold")).toBe(true);

    // A second pass finds nothing more to do.
    expect(await runRetentionPass(t.db, plugins, NOW)).toMatchObject({ expired: 0, failed: 0 });
    await storage.close?.();
  });

  it("keeps a backup whose files cannot be removed, records the problem once, and tries again on the next pass", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, source, "unreachable-storage");
    const goneId = randomUUID();
    const [gone] = await t.db
      .insert(storageLocations)
      .values({ id: goneId, orgId: owner.orgId, name: "Switched-off S3", provider: "s3", config: { endpoint: `http://127.0.0.1:${await freePort()}`, region: "us-east-1", bucket: "b", accessKeyId: "k", forcePathStyle: true }, secrets: sealSecret(SEALED_COLUMNS.storageLocationSecrets, goneId, { secretAccessKey: "s" }) })
      .returning();
    const base = { orgId: owner.orgId, projectId: setup.project.id, environmentId: environment.id, storageLocationId: gone!.id, status: "completed" as const, type: "manual" as const, retentionClass: "daily" as const };
    await t.db.insert(backups).values([
      { ...base, name: "newest", createdAt: new Date(Date.UTC(2026, 10, 29)) },
      { ...base, name: "old 1", createdAt: new Date(Date.UTC(2026, 5, 1)), expiresAt: new Date(Date.UTC(2026, 5, 8)) },
      { ...base, name: "old 2", createdAt: new Date(Date.UTC(2026, 5, 2)), expiresAt: new Date(Date.UTC(2026, 5, 9)) },
    ]);
    const before = (await t.db.select().from(activityLog).where(eq(activityLog.outcome, "failure"))).length;
    expect(await runRetentionPass(t.db, plugins, NOW)).toMatchObject({ expired: 0, failed: 2 });
    const rows = await t.db.select().from(backups).where(eq(backups.environmentId, environment.id));
    expect(rows.map((b) => b.status)).toEqual(["completed", "completed", "completed"]);
    const problems = (await t.db.select().from(activityLog).where(eq(activityLog.outcome, "failure"))).slice(before);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^Retention could not remove files from its storage location: .*tried again on the next pass\.$/);
  });
});
