import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createDb } from "@/server/db";
import { backupPolicies, backups, environments } from "@/server/db/schema";
import { enqueueDueBackups } from "@/server/schedules/enqueue-due-backups";
import { slotOffsetMs } from "@/server/schedules/environment-slot";
import { BUILT_IN_POLICY, type PolicyOverride } from "@/server/policies/policy-fields";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createBackupSetup, createPostgresEnvironment, startTestWorker } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

const plugins = builtinPluginHost();
const fakeSource = { host: "127.0.0.1", port: 5432, user: "u", password: "p", database: "d" };

async function scheduledOf(db: TestDatabase["db"], environmentId: string) {
  return db.select().from(backups).where(and(eq(backups.environmentId, environmentId), eq(backups.type, "scheduled"))).orderBy(backups.scheduledFor);
}

describe("scheduler tick (computed clock)", () => {
  let t: TestDatabase;
  let owner: Principal;
  let setup: Awaited<ReturnType<typeof createBackupSetup>>;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Scheduler"));
    setup = await createBackupSetup(t.db, plugins, owner);
    // The org default is off, so only the environments each test enables are scheduled.
    await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, enabled: false });
  });

  afterAll(async () => {
    await t?.drop();
  });

  /** An environment whose override was set at `createdAt` (the computed clock's past), as were the org default's last edits. */
  async function environment(name: string, createdAt: Date, override: PolicyOverride) {
    const env = await createPostgresEnvironment(t.db, plugins, owner, setup, fakeSource, name);
    await putOverride(t.db, owner, env.id, override);
    await t.db.update(environments).set({ createdAt }).where(eq(environments.id, env.id));
    await t.db.update(backupPolicies).set({ updatedAt: createdAt }).where(eq(backupPolicies.orgId, owner.orgId));
    return env;
  }

  it("fires an override in another time zone at the right UTC minute", async () => {
    // 09:00 in Kolkata (UTC+05:30) is 03:30 UTC.
    const env = await environment("kolkata", new Date("2026-12-01T00:00:00Z"), { enabled: true, schedule: "0 9 * * *", timezone: "Asia/Kolkata" });
    await enqueueDueBackups(t.db, new Date("2026-12-03T03:29:59Z"));
    expect((await scheduledOf(t.db, env.id)).map((b) => b.scheduledFor!.toISOString())).toEqual(["2026-12-02T03:30:00.000Z"]);
    await enqueueDueBackups(t.db, new Date("2026-12-03T03:30:00Z"));
    const rows = await scheduledOf(t.db, env.id);
    expect(rows.map((b) => b.scheduledFor!.toISOString())).toEqual(["2026-12-02T03:30:00.000Z", "2026-12-03T03:30:00.000Z"]);
    expect(rows.every((b) => b.type === "scheduled" && b.status === "pending" && b.storageLocationId === setup.storage.id)).toBe(true);
  });

  it("starts each environment at its own slot in the start window, once per window, from its first slot after it was created", async () => {
    const window = { enabled: true, schedule: "0 1 * * *", timezone: "UTC", spreadMinutes: 120 };
    const early = await environment("window-a", new Date("2026-12-03T00:00:00Z"), window);
    const late = await environment("window-b", new Date("2026-12-03T00:00:00Z"), window);
    const slot = (id: string, day: string) => new Date(Date.parse(`${day}T01:00:00Z`) + slotOffsetMs(id, 120));
    const [first, second] = [early, late].sort((a, b) => slotOffsetMs(a.id, 120) - slotOffsetMs(b.id, 120));
    // Between the two slots only the first environment is due; at the second slot both have theirs, once.
    await enqueueDueBackups(t.db, new Date(slot(second!.id, "2026-12-03").getTime() - 1));
    expect((await scheduledOf(t.db, first!.id)).map((b) => b.scheduledFor!.toISOString())).toEqual([slot(first!.id, "2026-12-03").toISOString()]);
    expect(await scheduledOf(t.db, second!.id)).toEqual([]);
    await enqueueDueBackups(t.db, slot(second!.id, "2026-12-03"));
    await enqueueDueBackups(t.db, new Date("2026-12-03T04:00:00Z"));
    expect((await scheduledOf(t.db, first!.id)).map((b) => b.scheduledFor!.toISOString())).toEqual([slot(first!.id, "2026-12-03").toISOString()]);
    expect((await scheduledOf(t.db, second!.id)).map((b) => b.scheduledFor!.toISOString())).toEqual([slot(second!.id, "2026-12-03").toISOString()]);
    expect(slot(second!.id, "2026-12-03").getTime()).toBeLessThan(Date.parse("2026-12-03T03:00:00Z"));
    // An environment created inside the window starts there when its slot is still ahead.
    const createdInWindow = new Date(Date.parse("2026-12-04T01:00:00Z") + slotOffsetMs(first!.id, 120) - 1000);
    await t.db.update(environments).set({ createdAt: createdInWindow }).where(eq(environments.id, first!.id));
    await t.db.update(backupPolicies).set({ updatedAt: new Date("2026-12-01T00:00:00Z") }).where(eq(backupPolicies.orgId, owner.orgId));
    await enqueueDueBackups(t.db, new Date("2026-12-04T04:00:00Z"));
    expect((await scheduledOf(t.db, first!.id)).map((b) => b.scheduledFor!.toISOString())).toEqual([slot(first!.id, "2026-12-03").toISOString(), slot(first!.id, "2026-12-04").toISOString()]);
  });

  it("runs a missed slot once after downtime, not once per missed slot, and never a slot from before the environment existed", async () => {
    const createdAt = new Date("2026-12-03T00:10:00Z");
    const env = await environment("hourly", createdAt, { enabled: true, schedule: "0 * * * *", timezone: "UTC" });
    // Created at 00:10: the 00:00 slot predates it.
    expect((await enqueueDueBackups(t.db, new Date("2026-12-03T00:59:00Z"))).enqueued).toBe(0);
    // Down from 00:59 to 05:20: 01:00 … 05:00 were missed; only 05:00 runs.
    await enqueueDueBackups(t.db, new Date("2026-12-03T05:20:00Z"));
    await enqueueDueBackups(t.db, new Date("2026-12-03T05:21:00Z"));
    expect((await scheduledOf(t.db, env.id)).map((b) => b.scheduledFor!.toISOString())).toEqual(["2026-12-03T05:00:00.000Z"]);
  });

  it("starts an edited policy at its next slot, without firing the slot just passed", async () => {
    const env = await environment("edited", new Date("2026-12-01T00:00:00Z"), { enabled: true, schedule: "0 2 * * *", timezone: "UTC" });
    await enqueueDueBackups(t.db, new Date("2026-12-03T02:00:00Z"));
    // At 10:00 the schedule moves to 03:00: today's 03:00 slot has passed and is not run now, tomorrow's is.
    await putOverride(t.db, owner, env.id, { enabled: true, schedule: "0 3 * * *", timezone: "UTC" });
    await t.db.update(backupPolicies).set({ updatedAt: new Date("2026-12-03T10:00:00Z") }).where(eq(backupPolicies.environmentId, env.id));
    await enqueueDueBackups(t.db, new Date("2026-12-03T10:01:00Z"));
    await enqueueDueBackups(t.db, new Date("2026-12-04T03:00:00Z"));
    expect((await scheduledOf(t.db, env.id)).map((b) => b.scheduledFor!.toISOString())).toEqual(["2026-12-03T02:00:00.000Z", "2026-12-04T03:00:00.000Z"]);
  });

  it("takes a slot once when two ticks race for it", async () => {
    const env = await environment("raced", new Date("2026-12-03T04:00:00Z"), { enabled: true, schedule: "*/5 * * * *", timezone: "UTC" });
    const other = createDb(t.url, { max: 2 });
    try {
      const now = new Date("2026-12-03T06:07:00Z");
      await Promise.all([enqueueDueBackups(t.db, now), enqueueDueBackups(other.db, now), enqueueDueBackups(t.db, now)]);
    } finally {
      await other.close();
    }
    const rows = await scheduledOf(t.db, env.id);
    expect(rows.map((b) => b.scheduledFor!.toISOString())).toEqual(["2026-12-03T06:05:00.000Z"]);
    const jobs = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where key = ${`backup:${rows[0]!.id}`}`);
    expect(jobs[0]!.n).toBe(1);
  });

  it("skips disabled environments, and records a failed run when there is nowhere to store it", async () => {
    const off = await environment("off", new Date("2026-12-01T00:00:00Z"), { schedule: "* * * * *" });
    const other = await createOrgWithMembers(t.db, "No storage yet");
    const project = await createProject(t.db, other.principals.owner, { name: "P", description: "" });
    const server = await createServer(t.db, plugins, other.principals.owner, { name: "Host", kind: "local", config: {} });
    const homeless = await createPostgresEnvironment(t.db, plugins, other.principals.owner, { project, server }, fakeSource);
    await t.db.update(environments).set({ createdAt: new Date("2026-12-01T00:00:00Z") }).where(eq(environments.id, homeless.id));

    await enqueueDueBackups(t.db, new Date("2026-12-03T07:00:00Z"));
    expect(await scheduledOf(t.db, off.id)).toEqual([]);
    const [failed] = await scheduledOf(t.db, homeless.id);
    expect(failed).toMatchObject({ status: "failed", scheduledFor: new Date("2026-12-03T02:00:00Z") });
    expect(failed!.error).toMatch(/No storage location/);
    // The dashboard tells it apart as a storage problem.
    expect(failed!.failureKind).toBe("storage");
  });
});

describe("scheduler with real workers", () => {
  let t: TestDatabase;
  let client: Awaited<ReturnType<typeof createClientDatabase>>;
  let owner: Principal;
  const workers: { stop: () => Promise<void> }[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    client = await createClientDatabase();
    ({ principals: { owner } } = await createOrgWithMembers(t.db, "Every minute"));
  });

  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => {});
    await client?.drop();
    await t?.drop();
  });

  it("gives a `* * * * *` environment exactly one scheduled backup per minute with two workers running, and a disabled one none", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const every = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "every-minute");
    const off = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "disabled");
    await putOverride(t.db, owner, every.id, { schedule: "* * * * *" });
    await putOverride(t.db, owner, off.id, { schedule: "* * * * *", enabled: false });

    workers.push(await startTestWorker(t, 2), await startTestWorker(t, 2));
    const deadline = Date.now() + 200_000;
    let rows = await scheduledOf(t.db, every.id);
    while (rows.filter((b) => b.status === "completed").length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      rows = await scheduledOf(t.db, every.id);
    }
    const slots = rows.map((b) => b.scheduledFor!.getTime());
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(slots).size).toBe(rows.length);
    // Consecutive minutes, each once: no slot skipped, none doubled.
    for (let i = 1; i < slots.length; i += 1) expect(slots[i]! - slots[i - 1]!).toBe(60_000);
    expect(rows.filter((b) => b.status === "completed").length).toBeGreaterThanOrEqual(2);
    expect(rows.every((b) => b.status !== "failed")).toBe(true);
    expect(await scheduledOf(t.db, off.id)).toEqual([]);
  }, 240_000);
});
