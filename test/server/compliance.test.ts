import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { FailureKind } from "@/shared/enum-values";
import { eq } from "drizzle-orm";
import { backups, environmentLastRuns, restores } from "@/server/db/schema";
import { assessCompliance, recentWindowMs } from "@/server/policies/compliance";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { slotOffsetMs } from "@/server/schedules/environment-slot";
import { createApiToken } from "@/server/services/api-tokens";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { getDashboard } from "@/server/services/dashboard";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

const HOUR = 3600_000;
const MINUTE = 60_000;
const plugins = builtinPluginHost();
const now = new Date();
const ago = (ms: number) => new Date(now.getTime() - ms);
let t: TestDatabase;

type Org = { owner: Principal; setup: Awaited<ReturnType<typeof createBackupSetup>> };

async function newOrg(name: string, policy: Partial<typeof BUILT_IN_POLICY> = {}): Promise<Org> {
  const { principals } = await createOrgWithMembers(t.db, name);
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  await putOrgPolicy(t.db, principals.owner, { ...BUILT_IN_POLICY, schedule: "0 2 * * *", timezone: "UTC", ...policy });
  return { owner: principals.owner, setup };
}

function environment(org: Org, name: string) {
  return createPostgresEnvironment(t.db, plugins, org.owner, org.setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: name }, name);
}

/** A finished backup row, as a worker leaves it. */
async function finished(org: Org, environmentId: string, status: "completed" | "failed", at: Date, extra: { failureKind?: FailureKind; sizeBytes?: number } = {}) {
  await t.db.insert(backups).values({
    orgId: org.owner.orgId,
    projectId: org.setup.project.id,
    environmentId,
    storageLocationId: org.setup.storage.id,
    type: "scheduled",
    status,
    retentionClass: "daily",
    sizeBytes: status === "completed" ? (extra.sizeBytes ?? 1000) : null,
    error: status === "failed" ? "it broke" : null,
    failureKind: status === "failed" ? (extra.failureKind ?? "source") : null,
    progress: { phase: status === "failed" ? "failed" : "completed", bytes: 0, updatedAt: at.toISOString() },
    startedAt: new Date(at.getTime() - MINUTE),
    finishedAt: at,
    createdAt: new Date(at.getTime() - MINUTE),
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
});

afterAll(async () => {
  await t?.drop();
});

describe("the window a success stays recent in", () => {
  const at = new Date("2025-03-12T12:00:00Z");
  const id = "00000000-0000-4000-8000-000000000001";
  const at0 = (schedule: string, timezone: string) => ({ schedule, timezone, spreadMinutes: 0 });
  it("is the schedule's interval plus one hour", () => {
    expect(recentWindowMs(at0("0 2 * * *", "UTC"), id, at)).toBe(25 * HOUR);
    expect(recentWindowMs(at0("0 * * * *", "Europe/Brussels"), id, at)).toBe(2 * HOUR);
    expect(recentWindowMs(at0("0 3 * * 0", "UTC"), id, at)).toBe(7 * 24 * HOUR + HOUR);
  });

  it("follows the time zone across a daylight-saving change", () => {
    // Brussels went back to winter time on 26 October 2025: that day had 25 hours.
    expect(recentWindowMs(at0("0 4 * * *", "Europe/Brussels"), id, new Date("2025-10-26T12:00:00Z"))).toBe(26 * HOUR);
    expect(recentWindowMs(at0("0 4 * * *", "Europe/Brussels"), id, new Date("2025-10-28T12:00:00Z"))).toBe(25 * HOUR);
  });

  it("keeps a weekday-only schedule's Friday backup recent over the weekend, until Monday's run has had its hour", () => {
    const policy = at0("0 2 * * 1-5", "UTC");
    const friday = new Date("2025-03-14T02:05:00Z");
    const judge = (lastSuccessAt: Date, now: string) => assessCompliance({ policy, environmentId: id, lastSuccessAt, lastRun: { status: "completed", failureKind: null }, now: new Date(now) });
    for (const now of ["2025-03-15T12:00:00Z", "2025-03-16T23:00:00Z", "2025-03-17T01:59:00Z", "2025-03-17T02:30:00Z"]) expect(judge(friday, now), now).toEqual({ compliant: true, reason: null });
    // Monday's backup did not come within its hour: that is overdue, as a missed weekday is.
    expect(judge(friday, "2025-03-17T03:10:00Z")).toEqual({ compliant: false, reason: "overdue" });
    expect(judge(new Date("2025-03-17T02:05:00Z"), "2025-03-18T02:30:00Z")).toEqual({ compliant: true, reason: null });
    expect(judge(new Date("2025-03-17T02:05:00Z"), "2025-03-18T03:10:00Z")).toEqual({ compliant: false, reason: "overdue" });
    // A manual backup on Sunday evening does not cover a missed Monday into Tuesday.
    expect(judge(new Date("2025-03-16T20:00:00Z"), "2025-03-18T02:30:00Z")).toEqual({ compliant: false, reason: "overdue" });
  });

  it("is measured between the environment's own slots in a start window", () => {
    // Weekdays at 01:00 UTC with a 4-hour window; at 02:00 on Friday 14 March 2025 some slots of Friday's window have come.
    const schedule = { schedule: "0 1 * * 1-5", timezone: "UTC", spreadMinutes: 240 };
    const now = new Date("2025-03-14T02:00:00Z");
    const ids = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const early = ids.find((i) => slotOffsetMs(i, 240) < HOUR)!;
    const late = ids.find((i) => slotOffsetMs(i, 240) > 2 * HOUR)!;
    // An environment whose Friday slot has come is in the weekend's period; one whose slot is still ahead, in Thursday's.
    expect(recentWindowMs(schedule, early, now)).toBe(73 * HOUR);
    expect(recentWindowMs(schedule, late, now)).toBe(25 * HOUR);
  });

  it("keeps an environment compliant while its newest run failed but a success is recent", () => {
    const policy = at0("0 2 * * *", "UTC");
    expect(assessCompliance({ policy, environmentId: id, lastSuccessAt: ago(2 * HOUR), lastRun: { status: "failed", failureKind: "source" }, now })).toEqual({ compliant: true, reason: null });
    expect(assessCompliance({ policy, environmentId: id, lastSuccessAt: ago(30 * HOUR), lastRun: { status: "failed", failureKind: "storage" }, now })).toEqual({ compliant: false, reason: "storage_error" });
  });
});

describe("backup compliance on the dashboard", () => {
  it("is 75% for the documented example: 10 environments, 2 disabled, 6 of the 8 enabled recently backed up", async () => {
    const org = await newOrg("Seed Example");
    const envs = [];
    for (let i = 1; i <= 10; i++) envs.push(await environment(org, `env-${i}`));
    for (const env of envs.slice(8)) await putOverride(t.db, org.owner, env.id, { enabled: false });
    for (const env of envs.slice(0, 6)) await finished(org, env.id, "completed", ago(3 * HOUR));
    await finished(org, envs[6]!.id, "failed", ago(3 * HOUR));
    // A disabled environment with a recent backup counts as protected, never towards compliance.
    await finished(org, envs[8]!.id, "completed", ago(HOUR));

    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.compliance).toEqual({ percent: 75, compliant: 6, enabled: 8 });
    expect(dashboard.environments).toEqual({ total: 10, enabled: 8, protected: 7 });
    expect(dashboard.nonCompliant.map((e) => [e.environmentName, e.reason])).toEqual([
      ["env-7", "last_run_failed"],
      ["env-8", "no_backup_yet"],
    ]);
    expect(dashboard.nonCompliantTotal).toBe(2);
  });

  it("says why each non-compliant environment is, most urgent first", async () => {
    const org = await newOrg("Reasons");
    const never = await environment(org, "never");
    const failed = await environment(org, "failed");
    const storage = await environment(org, "storage");
    const overdue = await environment(org, "overdue");
    const justInTime = await environment(org, "just-in-time");
    await finished(org, failed.id, "completed", ago(3 * 24 * HOUR));
    await finished(org, failed.id, "failed", ago(HOUR));
    await finished(org, storage.id, "completed", ago(2 * 24 * HOUR));
    await finished(org, storage.id, "failed", ago(2 * HOUR), { failureKind: "storage" });
    await finished(org, overdue.id, "completed", ago(25 * HOUR + MINUTE));
    await finished(org, justInTime.id, "completed", ago(24 * HOUR + 59 * MINUTE));

    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.compliance).toEqual({ percent: 20, compliant: 1, enabled: 5 });
    expect(dashboard.nonCompliant).toEqual([
      { environmentId: storage.id, environmentName: "storage", projectId: org.setup.project.id, projectName: org.setup.project.name, reason: "storage_error", lastSuccessAt: ago(2 * 24 * HOUR).toISOString(), lastBackupAt: ago(2 * HOUR).toISOString(), detail: "it broke", failedBackupId: expect.any(String), firstRunAt: null },
      { environmentId: failed.id, environmentName: "failed", projectId: org.setup.project.id, projectName: org.setup.project.name, reason: "last_run_failed", lastSuccessAt: ago(3 * 24 * HOUR).toISOString(), lastBackupAt: ago(HOUR).toISOString(), detail: "it broke", failedBackupId: expect.any(String), firstRunAt: null },
      { environmentId: overdue.id, environmentName: "overdue", projectId: org.setup.project.id, projectName: org.setup.project.name, reason: "overdue", lastSuccessAt: ago(25 * HOUR + MINUTE).toISOString(), lastBackupAt: ago(25 * HOUR + MINUTE).toISOString(), detail: null, failedBackupId: null, firstRunAt: null },
      // Created after its latest 02:00 slot: its first run is still ahead.
      { environmentId: never.id, environmentName: "never", projectId: org.setup.project.id, projectName: org.setup.project.name, reason: "no_backup_yet", lastSuccessAt: null, lastBackupAt: null, detail: null, failedBackupId: null, firstRunAt: expect.stringMatching(/T02:00:00\.000Z$/) },
    ]);
    expect(dashboard.awaitingFirstRun).toBe(1);
    expect(dashboard.failuresLast24h).toBe(2);
  });

  it("judges an hourly environment on 2 hours and follows an environment's own schedule", async () => {
    const org = await newOrg("Hourly", { schedule: "0 * * * *" });
    const recent = await environment(org, "recent");
    const late = await environment(org, "late");
    const weekly = await environment(org, "weekly");
    await putOverride(t.db, org.owner, weekly.id, { schedule: "0 3 * * 0" });
    await finished(org, recent.id, "completed", ago(HOUR + 50 * MINUTE));
    await finished(org, late.id, "completed", ago(2 * HOUR + MINUTE));
    await finished(org, weekly.id, "completed", ago(6 * 24 * HOUR));
    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.compliance).toMatchObject({ compliant: 2, enabled: 3 });
    expect(dashboard.nonCompliant.map((e) => [e.environmentName, e.reason])).toEqual([["late", "overdue"]]);
    // Soonest first: the next full hour runs both hourly environments (ties by name).
    expect(dashboard.upcoming).toHaveLength(10);
    expect(dashboard.upcoming.map((u) => u.at)).toEqual([...dashboard.upcoming.map((u) => u.at)].sort());
    expect(dashboard.upcoming.slice(0, 2).map((u) => u.environmentName)).toEqual(["late", "recent"]);
    expect(dashboard.upcoming[0]!.at).toMatch(/:00:00\.000Z$/);
  });

  it("lists each environment's own start within a window, and the window with how many environments start in it", async () => {
    const org = await newOrg("Window", { schedule: "0 1 * * *", spreadMinutes: 240 });
    for (const name of ["alpha", "beta", "gamma"]) await environment(org, name);
    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.upcomingWindows).toEqual([{ schedule: "0 1 * * *", timezone: "UTC", spreadMinutes: 240, start: expect.stringMatching(/T01:00:00\.000Z$/), end: expect.stringMatching(/T05:00:00\.000Z$/), environments: 3 }]);
    const { start } = dashboard.upcomingWindows[0]!;
    // The ten soonest runs: every environment at its own moment of each window, so the first three are all three.
    expect(dashboard.upcoming).toHaveLength(10);
    expect(dashboard.upcoming.map((u) => u.at)).toEqual([...dashboard.upcoming.map((u) => u.at)].sort());
    for (const u of dashboard.upcoming) expect((Date.parse(u.at) - Date.parse(start)) % (24 * HOUR)).toBeLessThan(4 * HOUR);
    expect(new Set(dashboard.upcoming.slice(0, 3).map((u) => u.environmentName)).size).toBe(3);
    expect(new Set(dashboard.upcoming.slice(0, 3).map((u) => u.at)).size).toBe(3);
  });

  it("has no percentage when no environment has backups enabled", async () => {
    const org = await newOrg("All Disabled", { enabled: false });
    const env = await environment(org, "dev");
    await finished(org, env.id, "completed", ago(HOUR));
    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.compliance).toEqual({ percent: null, compliant: 0, enabled: 0 });
    expect(dashboard.environments).toEqual({ total: 1, enabled: 0, protected: 1 });
    expect(dashboard.nonCompliant).toEqual([]);
    expect(dashboard.upcoming).toEqual([]);
  });
});

describe("the rest of the dashboard", () => {
  let org: Org;
  let token: string;
  let environmentId: string;

  beforeAll(async () => {
    org = await newOrg("Trend");
    token = (await createApiToken(t.db, org.owner, { name: "dashboards" })).token;
    const env = await environment(org, "production");
    environmentId = env.id;
    await finished(org, env.id, "completed", ago(40 * 24 * HOUR), { sizeBytes: 5000 });
    await finished(org, env.id, "completed", ago(3 * 24 * HOUR), { sizeBytes: 2000 });
    await finished(org, env.id, "failed", ago(3 * 24 * HOUR - HOUR));
    await finished(org, env.id, "completed", ago(HOUR), { sizeBytes: 3000 });
    await t.db.insert(restores).values({ orgId: org.owner.orgId, sourceEnvironmentId: env.id, target: "original", targetEnvironmentId: env.id, status: "failed", finishedAt: ago(2 * HOUR) });
  });

  it("charts 30 UTC days of completed and failed backups, zero-filled, and sums storage per location", async () => {
    const dashboard = await getDashboard(t.db, org.owner, now);
    expect(dashboard.daily).toHaveLength(30);
    expect(dashboard.daily.at(-1)!.day).toBe(now.toISOString().slice(0, 10));
    const day = (at: Date) => dashboard.daily.find((d) => d.day === at.toISOString().slice(0, 10));
    expect(dashboard.daily.reduce((n, d) => n + d.completed, 0)).toBe(2);
    expect(dashboard.daily.reduce((n, d) => n + d.failed, 0)).toBe(1);
    expect(day(ago(HOUR))!.completed).toBeGreaterThanOrEqual(1);
    expect(day(ago(3 * 24 * HOUR - HOUR))!.failed).toBe(1);
    expect(dashboard.storage).toEqual([{ storageLocationId: org.setup.storage.id, name: org.setup.storage.name, provider: "local", usedBytes: 10_000, backups: 3, dedupSavedBytes: 0 }]);
    // The failed restore counts; the failed backup is three days old.
    expect(dashboard.failuresLast24h).toBe(1);
  });

  it("is served at GET /api/v1/dashboard", async () => {
    const res = await rest("GET", "/dashboard", { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      compliance: { percent: 100, compliant: 1, enabled: 1 },
      nonCompliant: [],
      nonCompliantTotal: 0,
      environments: { total: 1, enabled: 1, protected: 1 },
      failuresLast24h: 1,
      storage: [{ usedBytes: 10_000, backups: 3 }],
    });
    const body = res.body as { daily: unknown[]; upcoming: Array<{ environmentName: string; at: string }> };
    expect(body.daily).toHaveLength(30);
    expect(body.upcoming).toHaveLength(10);
    expect(body.upcoming[0]).toMatchObject({ environmentName: "production", at: expect.stringMatching(/T02:00:00\.000Z$/) });
  });

  it("counts backups per status with the list's filters at GET /api/v1/backups/counts", async () => {
    const all = await rest("GET", "/backups/counts", { token });
    expect(all).toMatchObject({ status: 200, body: { pending: 0, in_progress: 0, uploading: 0, completed: 3, failed: 1, expired: 0, total: 4 } });
    const since = encodeURIComponent(ago(10 * 24 * HOUR).toISOString());
    expect((await rest("GET", `/backups/counts?from=${since}&q=produc`, { token })).body).toMatchObject({ completed: 2, failed: 1, total: 3 });
    expect((await rest("GET", "/backups/counts?q=nothing-like-this", { token })).body).toMatchObject({ total: 0 });
    expect((await rest("GET", "/backups/counts?type=manual", { token })).body).toMatchObject({ total: 0 });
  });

  it("counts each status up to its limit, then says \"at least\"", async () => {
    await t.sql`insert into backups (org_id, project_id, environment_id, type, status, retention_class, created_at)
      select ${org.owner.orgId}, ${org.setup.project.id}, ${environmentId}, 'manual', 'expired', 'daily', now() - interval '200 days' - i * interval '1 minute'
      from generate_series(1, 10005) i`;
    expect((await rest("GET", "/backups/counts", { token })).body).toEqual({ pending: 0, in_progress: 0, uploading: 0, completed: 3, failed: 1, expired: 10_000, total: 10_004, limit: 10_000 });
  });
});

describe("each environment's newest run and success, kept by the database", () => {
  it("follows inserts, status changes and deletions, and ignores progress updates", async () => {
    const org = await newOrg("Last runs");
    const env = await environment(org, "tracked");
    const lastRuns = async () => (await t.db.select().from(environmentLastRuns).where(eq(environmentLastRuns.environmentId, env.id)))[0];

    await finished(org, env.id, "completed", ago(3 * HOUR));
    expect(await lastRuns()).toMatchObject({ lastRunStatus: "completed", lastRunAt: ago(3 * HOUR), lastSuccessAt: ago(3 * HOUR) });

    // A run goes pending → in progress → failed: only its end changes anything.
    const [run] = await t.db.insert(backups).values({ orgId: org.owner.orgId, projectId: org.setup.project.id, environmentId: env.id, storageLocationId: org.setup.storage.id, type: "scheduled", status: "pending", retentionClass: "daily", createdAt: ago(HOUR) }).returning();
    await t.db.update(backups).set({ status: "in_progress", startedAt: ago(HOUR) }).where(eq(backups.id, run!.id));
    await t.db.update(backups).set({ heartbeatAt: new Date(), progress: { phase: "database", bytes: 10, updatedAt: new Date().toISOString() } }).where(eq(backups.id, run!.id));
    expect(await lastRuns()).toMatchObject({ lastRunStatus: "completed", lastSuccessAt: ago(3 * HOUR) });
    await t.db.update(backups).set({ status: "failed", failureKind: "storage", finishedAt: ago(HOUR - MINUTE), progress: { phase: "failed", bytes: 10, updatedAt: ago(HOUR).toISOString() } }).where(eq(backups.id, run!.id));
    expect(await lastRuns()).toMatchObject({ lastRunStatus: "failed", lastRunFailureKind: "storage", lastRunAt: ago(HOUR - MINUTE), lastSuccessAt: ago(3 * HOUR) });

    // Deleting the failed run and then the only success leaves nothing behind.
    await t.db.delete(backups).where(eq(backups.id, run!.id));
    expect(await lastRuns()).toMatchObject({ lastRunStatus: "completed", lastSuccessAt: ago(3 * HOUR) });
    await t.db.delete(backups).where(eq(backups.environmentId, env.id));
    expect(await lastRuns()).toMatchObject({ lastRunStatus: null, lastRunAt: null, lastSuccessAt: null });
  });
});
