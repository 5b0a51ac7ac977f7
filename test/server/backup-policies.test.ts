import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { effectivePolicy } from "@/server/policies/effective-policy";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

let t: TestDatabase;
let owner: Principal;
let token: string;
let environmentId: string;
const plugins = builtinPluginHost();
const policy = { enabled: true, schedule: "0 2 * * *", timezone: "UTC", storageLocationId: null, includeFilestore: true, retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 }, notifyOnSuccess: false, notifyOnFailure: true };

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Policies"));
  token = (await createApiToken(t.db, owner, { name: "policies" })).token;
  const setup = await createBackupSetup(t.db, plugins, owner);
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "d" })).id;
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
      retention: "organization",
      notifyOnSuccess: "organization",
      notifyOnFailure: "organization",
    });
    const merged = effectivePolicy(BUILT_IN_POLICY, { includeFilestore: false, retention: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } });
    expect(merged.policy).toEqual({ ...BUILT_IN_POLICY, includeFilestore: false, retention: { daily: 1, weekly: 0, monthly: 0, yearly: 0 } });
    expect(merged.source).toMatchObject({ includeFilestore: "environment", retention: "environment", schedule: "organization" });
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

  it("refuses an invalid cron schedule or time zone with a clear message", async () => {
    const badCron = await rest("PUT", "/backup-policy", { token, body: { ...policy, schedule: "61 * * * *" } });
    expect(badCron).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining('"61 * * * *" is not a valid cron schedule'), fields: { schedule: "Invalid cron schedule" } } } });
    const badZone = await rest("PUT", `/environments/${environmentId}/backup-policy`, { token, body: { timezone: "Mars/Olympus" } });
    expect(badZone).toMatchObject({ status: 422, body: { error: { fields: { timezone: "Unknown time zone" } } } });
  });
});
