import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog } from "@/server/db/schema";
import { effectivePolicy } from "@/server/policies/effective-policy";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { createApiToken } from "@/server/services/api-tokens";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

let t: TestDatabase;
let owner: Principal;
let token: string;
let environmentId: string;
let stagingId: string;
let projectId: string;
let otherOrgEnvironmentId: string;
const plugins = builtinPluginHost();
const policy = { enabled: true, schedule: "0 2 * * *", timezone: "UTC", storageLocationId: null, includeFilestore: true, retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 }, notifyOnSuccess: false, notifyOnFailure: true, notificationChannelIds: [] };
const source = { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "d" };

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Policies"));
  token = (await createApiToken(t.db, owner, { name: "policies" })).token;
  const setup = await createBackupSetup(t.db, plugins, owner);
  projectId = setup.project.id;
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, source)).id;
  stagingId = (await createPostgresEnvironment(t.db, plugins, owner, setup, source, "staging")).id;
  const other = await createOrgWithMembers(t.db, "Other agency");
  otherOrgEnvironmentId = (await createPostgresEnvironment(t.db, plugins, other.principals.owner, await createBackupSetup(t.db, plugins, other.principals.owner), source)).id;
});

afterAll(async () => {
  await t?.drop();
});

const effective = async () => (await rest("GET", `/environments/${environmentId}/effective-backup-policy`, { token })).body as { policy: typeof policy & { nextRuns: string[] }; source: Record<string, string> };

describe("effective backup policy = organization default ⊕ environment override", () => {
  it("merges field by field and says where each field comes from", () => {
    expect(effectivePolicy(BUILT_IN_POLICY, null).source).toEqual({
      enabled: "organization",
      schedule: "organization",
      timezone: "organization",
      storageLocationId: "organization",
      includeFilestore: "organization",
      filestoreLayout: "organization",
      retention: "organization",
      notifyOnSuccess: "organization",
      notifyOnFailure: "organization",
      notificationChannelIds: "organization",
      copies: "organization",
      encrypt: "organization",
      drill: "organization",
      spreadMinutes: "organization",
      retries: "organization",
    });
    const merged = effectivePolicy(BUILT_IN_POLICY, { includeFilestore: false, retention: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } });
    expect(merged.policy).toEqual({ ...BUILT_IN_POLICY, includeFilestore: false, retention: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } });
    expect(merged.source).toMatchObject({ includeFilestore: "environment", retention: "environment", schedule: "organization" });
    expect(BUILT_IN_POLICY.filestoreLayout).toBe("objects");
    const full = effectivePolicy(BUILT_IN_POLICY, { filestoreLayout: "archive" });
    expect(full.policy.filestoreLayout).toBe("archive");
    expect(full.source.filestoreLayout).toBe("environment");
  });

  it("uses the organization default alone when the environment overrides nothing", async () => {
    expect((await rest("PUT", "/backup-policy", { token, body: policy })).status).toBe(200);
    const e = await effective();
    expect(e.policy).toMatchObject(policy);
    expect(Object.values(e.source).every((s) => s === "organization")).toBe(true);
    expect(e.policy.nextRuns).toHaveLength(3);
  });

  it("overrides one field, then reverts to the organization default", async () => {
    const put = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { schedule: "30 1 * * *" } });
    expect(put).toMatchObject({ status: 200, body: { schedule: "30 1 * * *" } });
    expect(Object.keys(put.body as object)).toEqual(["schedule"]);
    const e = await effective();
    expect(e.policy).toMatchObject({ ...policy, schedule: "30 1 * * *" });
    expect(e.source).toMatchObject({ schedule: "environment", timezone: "organization", retention: "organization" });

    expect((await rest("DELETE", `/environments/${environmentId}/backup-policy`, { token })).status).toBe(204);
    expect((await rest("GET", `/environments/${environmentId}/backup-policy`, { token })).body).toEqual({});
    expect((await effective()).policy).toMatchObject(policy);
  });

  it("keeps an overridden field when the default changes, and the others follow the default", async () => {
    await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { schedule: "30 1 * * *" } });
    const changed = { ...policy, schedule: "0 4 * * *", timezone: "Europe/Brussels", includeFilestore: false, retention: { daily: 14, weekly: 8, monthly: 6, yearly: 1 } };
    expect((await rest("PUT", "/backup-policy", { token, body: changed })).status).toBe(200);
    const e = await effective();
    expect(e.policy).toMatchObject({ ...changed, schedule: "30 1 * * *" });
    expect(e.source).toMatchObject({ schedule: "environment", timezone: "organization", includeFilestore: "organization" });
    // 01:30 in Brussels (UTC+1 in winter) is 00:30 UTC.
    expect(e.policy.nextRuns[0]).toMatch(/T00:30:00\.000Z$/);
  });

  it("uses the organization default alone again after a revert, whatever the default becomes", async () => {
    await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { enabled: false, retention: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } } });
    expect((await rest("DELETE", `/environments/${environmentId}/backup-policy`, { token })).status).toBe(204);
    const changed = { ...policy, schedule: "15 5 * * 1", retention: { daily: 3, weekly: 2, monthly: 1, yearly: 0 } };
    expect((await rest("PUT", "/backup-policy", { token, body: changed })).status).toBe(200);
    const e = await effective();
    expect(e.policy).toMatchObject(changed);
    expect(Object.values(e.source).every((s) => s === "organization")).toBe(true);
  });

  it("refuses an invalid cron schedule or time zone with a clear message", async () => {
    const badCron = await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "61 * * * *" } });
    expect(badCron).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining('"61 * * * *" is not a valid cron schedule'), fields: { schedule: "Invalid cron schedule" } } } });
    const badZone = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { timezone: "Mars/Olympus" } });
    expect(badZone).toMatchObject({ status: 422, body: { error: { fields: { timezone: "Unknown time zone" } } } });
  });
});

describe("start window", () => {
  afterAll(async () => {
    await rest("PUT", "/backup-policy", { token, body: { ...policy, spreadMinutes: 0 } });
    await rest("DELETE", `/environments/${environmentId}/backup-policy`, { token });
  });

  it("gives each environment its own next runs inside the window, the same every time", async () => {
    const saved = await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "0 1 * * *", spreadMinutes: 240 } });
    expect(saved).toMatchObject({ status: 200, body: { spreadMinutes: 240 } });
    const runs = async (id: string) => ((await rest("GET", `/environments/${id}/effective-backup-policy`, { token })).body as { policy: { nextRuns: string[] } }).policy.nextRuns;
    const [production, staging] = [await runs(environmentId), await runs(stagingId)];
    expect(await runs(environmentId)).toEqual(production);
    expect(production).toHaveLength(3);
    for (const at of [...production, ...staging]) {
      const sinceStart = (Date.parse(at) - Date.parse(at.slice(0, 10) + "T01:00:00Z") + 86_400_000) % 86_400_000;
      expect(sinceStart).toBeLessThan(240 * 60_000);
    }
    // Each run a day after the one before, at the environment's own moment: the two environments start apart.
    expect(Date.parse(production[1]!) - Date.parse(production[0]!)).toBe(86_400_000);
    expect(production[0]!.slice(11)).not.toBe(staging[0]!.slice(11));

    // A v1 client leaves the window out and keeps it; an override that names other fields inherits it.
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "0 1 * * *" } })).body).toMatchObject({ spreadMinutes: 240 });
    expect(await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { includeFilestore: false } })).toMatchObject({ status: 200, body: { includeFilestore: false } });
    expect((await rest("GET", `/environments/${environmentId}/backup-policy`, { token })).body).toEqual({ includeFilestore: false });
    expect(await effective()).toMatchObject({ policy: { spreadMinutes: 240 }, source: { spreadMinutes: "organization" } });
  });

  it("refuses a window as long as the time between two runs, at the field", async () => {
    const hourly = await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "0 * * * *", spreadMinutes: 60 } });
    expect(hourly).toMatchObject({
      status: 422,
      body: { error: { message: 'A start window of 1 hour is not shorter than the 1 hour between two runs of "0 * * * *": windows would overlap; choose a shorter window', fields: { spreadMinutes: "Must be shorter than 1 hour, the shortest time between two runs" } } },
    });
    // Daylight saving makes one day of a daily schedule 23 hours long.
    const daily = await rest("PUT", "/backup-policy", { token, body: { ...policy, timezone: "Europe/Brussels", spreadMinutes: 23 * 60 } });
    expect(daily).toMatchObject({ status: 422, body: { error: { fields: { spreadMinutes: "Must be shorter than 23 hours, the shortest time between two runs" } } } });
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "0 * * * *", spreadMinutes: 45 } })).status).toBe(200);
  });

  it("checks an environment's own schedule against the window it inherits, and the other way round", async () => {
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, spreadMinutes: 120 } })).status).toBe(200);
    const override = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { schedule: "*/30 * * * *" } });
    expect(override).toMatchObject({ status: 422, body: { error: { fields: { spreadMinutes: "Must be shorter than 30 minutes, the shortest time between two runs" } } } });
    expect((await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { schedule: "0 */6 * * *" } })).status).toBe(200);
    const wider = await rest("PUT", "/backup-policy", { token, body: { ...policy, spreadMinutes: 7 * 60 } });
    expect(wider).toMatchObject({ status: 422, body: { error: { message: expect.stringMatching(/^.+ \/ production \(its own schedule\): A start window of 7 hours is not shorter than the 6 hours between two runs/) } } });
  });
});

describe("schedule preview", () => {
  it("gives the next five runs in the schedule's time zone", async () => {
    const { nextRuns } = await callerFor(t.db, plugins, owner).backupPolicies.checkSchedule({ schedule: "30 3 * * *", timezone: "Europe/Brussels" });
    expect(nextRuns).toHaveLength(5);
    const local = nextRuns.map((iso) => new Date(iso).toLocaleTimeString("en-GB", { timeZone: "Europe/Brussels", hour: "2-digit", minute: "2-digit" }));
    expect(local).toEqual(["03:30", "03:30", "03:30", "03:30", "03:30"]);
    expect(Date.parse(nextRuns[1]!) - Date.parse(nextRuns[0]!)).toBeGreaterThanOrEqual(23 * 3600_000);
  });

  it("says what is wrong with an invalid cron or time zone", async () => {
    const caller = callerFor(t.db, plugins, owner).backupPolicies;
    await expect(caller.checkSchedule({ schedule: "0 25 * * *", timezone: "UTC" })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: expect.stringContaining('"0 25 * * *" is not a valid cron schedule'),
    });
    await expect(caller.checkSchedule({ schedule: "0 0 31 2 *", timezone: "UTC" })).rejects.toMatchObject({ message: expect.stringContaining('"0 0 31 2 *" never runs') });
    await expect(caller.checkSchedule({ schedule: "0 2 * * *", timezone: "Europe/Atlantis" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringContaining("is not a time zone") });
  });
});

describe("bulk override", () => {
  const override = async (id: string) => (await rest("GET", `/environments/${id}/backup-policy`, { token })).body;
  const bulk = (body: unknown) => rest("POST", "/environments/backup-policy/bulk-override", { token, body });

  beforeAll(async () => {
    await rest("PUT", "/backup-policy", { token, body: policy });
    await rest("DELETE", `/environments/${stagingId}/backup-policy`, { token });
    await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { schedule: "0 4 * * 0", includeFilestore: false } });
  });

  it("sets the given fields on every environment and keeps the fields each one already overrides", async () => {
    const retention = { daily: 3, weekly: 1, monthly: 0, yearly: 0 };
    const result = await bulk({ environmentIds: [environmentId, stagingId], override: { enabled: false, retention } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(await override(environmentId)).toEqual({ schedule: "0 4 * * 0", includeFilestore: false, enabled: false, retention });
    expect(await override(stagingId)).toEqual({ enabled: false, retention });
    expect(result.body).toMatchObject({ items: expect.arrayContaining([{ environmentId: stagingId, override: { enabled: false, retention } }]) });

    const entries = await t.db.select().from(activityLog).where(and(eq(activityLog.orgId, owner.orgId), eq(activityLog.message, "Bulk override: enabled, retention")));
    expect(entries.map((e) => e.targetId).sort()).toEqual([environmentId, stagingId].sort());

    // A later bulk change of another field keeps what the first one set.
    expect((await bulk({ environmentIds: [stagingId], override: { schedule: "0 1 * * *" } })).status).toBe(200);
    expect(await override(stagingId)).toEqual({ enabled: false, retention, schedule: "0 1 * * *" });
  });

  it("shows each environment's schedule and whether it overrides the default in the environment list", async () => {
    const list = await rest("GET", `/environments?projectId=${projectId}`, { token });
    const items = (list.body as { items: Array<{ id: string; policy: unknown }> }).items;
    expect(items.find((i) => i.id === stagingId)?.policy).toEqual({ enabled: false, schedule: "0 1 * * *", timezone: "UTC", overridden: true });
    await rest("DELETE", `/environments/${stagingId}/backup-policy`, { token });
    const after = (await rest("GET", `/environments?projectId=${projectId}`, { token })).body as { items: Array<{ id: string; policy: unknown }> };
    expect(after.items.find((i) => i.id === stagingId)?.policy).toEqual({ enabled: true, schedule: "0 2 * * *", timezone: "UTC", overridden: false });
  });

  it("changes nothing when one environment would end up with an invalid schedule", async () => {
    const before = await override(environmentId);
    const refused = await bulk({ environmentIds: [stagingId, environmentId], override: { timezone: "Mars/Olympus" } });
    expect(refused).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining("is not a time zone"), fields: { timezone: "Unknown time zone" } } } });
    const badCron = await bulk({ environmentIds: [environmentId], override: { schedule: "0 25 * * *" } });
    expect(badCron.status).toBe(422);
    expect((badCron.body as { error: { message: string } }).error.message).toMatch(/^.+ \/ production: "0 25 \* \* \*" is not a valid cron schedule/);
    expect(await override(environmentId)).toEqual(before);
    expect(await override(stagingId)).toEqual({});
  });

  it("refuses another organization's environment, an empty override and an empty selection, changing nothing", async () => {
    const before = await override(environmentId);
    expect((await bulk({ environmentIds: [environmentId, otherOrgEnvironmentId], override: { enabled: true } })).status).toBe(404);
    expect(await override(environmentId)).toEqual(before);
    const empty = await bulk({ environmentIds: [environmentId], override: {} });
    expect(empty).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("Choose at least one field") } } });
    expect((await bulk({ environmentIds: [], override: { enabled: true } })).status).toBe(400);
  });
});

describe("PUT /backup-policy from a v1 client (PRODUCT.md's fields only)", () => {
  it("keeps an environment's filestore as full archives while the organization stores files once, and a PUT leaving the field out keeps it", async () => {
    expect((await rest("GET", "/backup-policy", { token })).body).toMatchObject({ filestoreLayout: "objects" });
    const put = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { filestoreLayout: "archive" } });
    expect(put).toMatchObject({ status: 200, body: { filestoreLayout: "archive" } });
    expect((await effective()).policy).toMatchObject({ filestoreLayout: "archive" });
    // `policy` holds PRODUCT.md's v1 fields only: the stored layout stays.
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "45 1 * * *" } })).body).toMatchObject({ filestoreLayout: "objects" });
    const refused = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { filestoreLayout: "zip" } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("Choose objects (each file stored once) or archive (a full tar each time)");
    expect((await rest("DELETE", `/environments/${environmentId}/backup-policy`, { token })).status).toBe(204);
  });

  it("keeps the notification channels already attached when the body leaves them out", async () => {
    const channel = await createNotificationChannel(t.db, plugins, owner, { name: "ops hook", notifier: "webhook", config: { url: "https://hooks.example.com/safehold", format: "json" } });
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, notificationChannelIds: [channel.id] } })).status).toBe(200);
    const { notificationChannelIds: _omitted, ...documented } = policy;
    const put = await rest("PUT", "/backup-policy", { token, body: { ...documented, schedule: "15 1 * * *" } });
    expect(put).toMatchObject({ status: 200, body: { schedule: "15 1 * * *", notificationChannelIds: [channel.id] } });
    expect((await rest("GET", "/backup-policy", { token })).body).toMatchObject({ schedule: "15 1 * * *", notificationChannelIds: [channel.id] });
    // Sent explicitly, the field still replaces the stored value.
    expect((await rest("PUT", "/backup-policy", { token, body: { ...policy, notificationChannelIds: [] } })).body).toMatchObject({ notificationChannelIds: [] });
  });
});
