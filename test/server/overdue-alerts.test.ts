import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups, environments } from "@/server/db/schema";
import { joinWorkerPresence } from "@/server/jobs/worker-presence";
import { loadEnvironmentPolicies } from "@/server/policies/environment-policies";
import { checkOverdue } from "@/server/schedules/check-overdue";
import { latestEnvironmentSlot } from "@/server/schedules/environment-slot";
import { findOverdueEnvironments, overdueGraceMs } from "@/server/schedules/find-overdue";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { getDashboard } from "@/server/services/dashboard";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { webhookListener } from "../helpers/fake-listeners";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

/**
 * Issue 16, dead-man alerts: with no worker alive, the check (run here with a clock, as the web process runs it
 * every minute) tells each environment's channels once per period that no backup succeeded, delivering itself.
 */
const plugins = builtinPluginHost();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Daily at 02:00 UTC, each environment at its own moment within the hour after; retried for up to 2 hours.
const POLICY = { enabled: true, schedule: "0 2 * * *", timezone: "UTC", spreadMinutes: 60, retries: { attempts: 3, withinMinutes: 120 }, notifyOnFailure: true };

let t: TestDatabase;
let owner: Principal;
let hook: Awaited<ReturnType<typeof webhookListener>>;
const envs: Record<"failing" | "idle" | "running", string> = { failing: "", idle: "", running: "" };
/** The first 02:00 UTC after the environments were created: their first window. */
let firstWindow: number;

const overdueHooks = () => hook.hooks.filter((h) => h.event === "backup.overdue");
const hooksFor = (environmentName: string) => overdueHooks().filter((h) => (h.body.fields as Record<string, string>).environment === environmentName);

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Overdue"));
  const setup = await createBackupSetup(t.db, plugins, owner);
  hook = await webhookListener();
  const channel = await createNotificationChannel(t.db, plugins, owner, { name: "on-call", notifier: "webhook", config: { url: `${hook.url}/overdue`, format: "json" } });
  await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), ...POLICY, notificationChannelIds: [channel.id] });
  // Nothing listens on this port: the sources could not be reached, but no backup runs here anyway.
  const client = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" };
  for (const name of ["failing", "idle", "running"] as const) envs[name] = (await createPostgresEnvironment(t.db, plugins, owner, setup, client, name)).id;
  const now = new Date();
  firstWindow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 2);
});

afterAll(async () => {
  await hook?.stop();
  await t?.drop();
});

/** The slot of `environmentId` whose grace has passed at `now`. */
async function slotOf(environmentId: string, now: Date): Promise<Date> {
  const env = (await loadEnvironmentPolicies(t.db)).find((e) => e.environmentId === environmentId)!;
  return latestEnvironmentSlot(env.policy, environmentId, new Date(now.getTime() - overdueGraceMs(env.policy)))!;
}

describe("overdue notifications with no worker alive", () => {
  it("says nothing before an environment's first window has passed its slot, retries and margin", async () => {
    // The latest window (02:00 today) began before the environments existed; the next one's grace runs to 05:10 at the latest.
    expect(await checkOverdue(t.db, plugins, new Date(firstWindow + 2 * HOUR))).toEqual({ overdue: 0, alerted: 0, delivered: 0 });
    expect(overdueHooks()).toEqual([]);
  });

  it("tells each environment once, delivered by the checking process itself, with why", async () => {
    const at = new Date(firstWindow + 3 * HOUR + 15 * 60_000);
    expect(await checkOverdue(t.db, plugins, at)).toEqual({ overdue: 3, alerted: 3, delivered: 3 });
    expect(overdueHooks()).toHaveLength(3);
    for (const name of Object.keys(envs)) {
      const [sent] = hooksFor(name);
      expect(sent?.body).toMatchObject({
        event: "backup.overdue",
        title: `Backup overdue: ${(sent?.body.fields as Record<string, string>).project} / ${name}`,
        severity: "failure",
        fields: { environment: name, reason: "no worker", slot: (await slotOf(envs[name as keyof typeof envs], at)).toISOString() },
      });
      expect(sent?.body.text).toContain("No worker process is running: scheduled backups are not being processed");
    }
    const rows = await t.sql`select status, attempts from notification_deliveries where event = 'backup.overdue'`;
    expect(rows).toEqual(Array(3).fill({ status: "sent", attempts: 1 }));
  });

  it("sends nothing new later in the same period, even when several processes check at once", async () => {
    const later = new Date(firstWindow + 10 * HOUR);
    const checks = await Promise.all([checkOverdue(t.db, plugins, later), checkOverdue(t.db, plugins, later), checkOverdue(t.db, plugins, later)]);
    expect(checks.map((c) => c.alerted)).toEqual([0, 0, 0]);
    expect(overdueHooks()).toHaveLength(3);
  });

  it("tells them again in the next period, once, whichever of several processes checks first", async () => {
    const next = new Date(firstWindow + DAY + 3 * HOUR + 15 * 60_000);
    const checks = await Promise.all([checkOverdue(t.db, plugins, next), checkOverdue(t.db, plugins, next)]);
    expect(checks[0]!.alerted + checks[1]!.alerted).toBe(3);
    expect(overdueHooks()).toHaveLength(6);
    for (const name of Object.keys(envs)) expect(hooksFor(name)).toHaveLength(2);
    const dashboard = await getDashboard(t.db, owner, next);
    expect(dashboard.overdueTotal).toBe(3);
    expect(dashboard.overdue.map((o) => [o.environmentName, o.reason]).sort()).toEqual([
      ["failing", "no_worker"],
      ["idle", "no_worker"],
      ["running", "no_worker"],
    ]);
  });
});

describe("overdue reasons while a worker is alive", () => {
  it("is not overdue while retries may still run, then says failing, never ran, and waits for a running backup", async () => {
    const third = new Date(firstWindow + 2 * DAY + 3 * HOUR + 15 * 60_000);
    const presence = await joinWorkerPresence(t.url);
    try {
      const slots = { failing: await slotOf(envs.failing, third), running: await slotOf(envs.running, third) };
      const [failing] = await t.db.select().from(environments).where(eq(environments.id, envs.failing));
      const base = { orgId: owner.orgId, projectId: failing!.projectId, type: "scheduled" as const, retentionClass: "daily" as const };
      await t.db.insert(backups).values([
        { ...base, environmentId: envs.failing, status: "failed", error: "connect ECONNREFUSED 127.0.0.1:1\nat TCPConnectWrap", failureKind: "source", scheduledFor: slots.failing, createdAt: slots.failing, startedAt: slots.failing, finishedAt: new Date(slots.failing.getTime() + 60_000) },
        { ...base, environmentId: envs.running, status: "in_progress", scheduledFor: slots.running, createdAt: slots.running, startedAt: slots.running, heartbeatAt: new Date() },
      ]);
      // One minute before its retries window and margin end, the failed slot may still be retried: not overdue yet
      // (the environment is still overdue for the period before, already told).
      const early = new Date(slots.failing.getTime() + overdueGraceMs(POLICY) - 60_000);
      const earlyFailing = (await findOverdueEnvironments(t.db, early)).find((o) => o.environmentId === envs.failing);
      expect(earlyFailing?.slot.getTime()).toBe(slots.failing.getTime() - DAY);

      const found = await findOverdueEnvironments(t.db, third);
      expect(found.map((o) => [o.environmentName, o.reason, o.detail]).sort()).toEqual([
        ["failing", "failing", "Its backup failed: connect ECONNREFUSED 127.0.0.1:1"],
        ["idle", "never_ran", "No backup ran for this slot"],
      ]);
      expect(await checkOverdue(t.db, plugins, third)).toEqual({ overdue: 2, alerted: 2, delivered: 0 });
      // A worker is alive: the deliveries wait for it in the queue, each under its own job key.
      const queued = await t.sql`select d.status, (select count(*)::int from graphile_worker.jobs j where j.key = 'notify:' || d.id) as jobs
        from notification_deliveries d join overdue_alerts a on a.id = d.subject_id where a.slot >= ${new Date(firstWindow + 2 * DAY)}`;
      expect(queued).toEqual([
        { status: "pending", jobs: 1 },
        { status: "pending", jobs: 1 },
      ]);
    } finally {
      await presence.leave();
    }
    // The worker went away before sending them: the next check delivers them itself and alerts nothing twice; the
    // backup that was running has lost its worker, which is now why that environment is overdue.
    expect(await checkOverdue(t.db, plugins, third)).toEqual({ overdue: 3, alerted: 1, delivered: 3 });
    expect(hooksFor("failing").at(-1)?.body).toMatchObject({ fields: { reason: "failing" } });
    expect(hooksFor("failing").at(-1)?.body.text).toContain("Its backup failed: connect ECONNREFUSED 127.0.0.1:1");
    expect(hooksFor("idle").at(-1)?.body).toMatchObject({ fields: { reason: "never ran" } });
    expect(hooksFor("running")).toHaveLength(3);
    expect(hooksFor("running").at(-1)?.body).toMatchObject({ fields: { reason: "no worker" } });
    expect(await t.sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'notify/send'`).toEqual([{ n: 0 }]);
  });
});
