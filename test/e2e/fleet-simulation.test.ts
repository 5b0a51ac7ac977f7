import type { ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { enqueueDueBackups } from "@/server/schedules/enqueue-due-backups";
import { slotOffsetMs } from "@/server/schedules/environment-slot";
import { putOrgPolicy } from "@/server/services/backup-policies";
import { createServer } from "@/server/services/servers";
import { servers as serversTable } from "@/server/db/schema";
import { createBackupSetup, createPostgresEnvironment, ENVIRONMENTS_ROOT, pointProcessAtDatabase } from "../helpers/backup-env";
import { startWorkerProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

/**
 * A night of a fleet, compressed: 200 environments on 4 servers under one default policy with a 20-minute start
 * window, two `safehold worker` processes running the backups, and the scheduler's clock stepped minute by minute
 * through the window in this process. The workers' own every-minute tick, on the real clock, never fires for these
 * environments: the window lies about twelve hours from now, so every slot the real clock has reached predates the
 * environments, and a slot from before an environment existed never runs.
 */
const ENVIRONMENTS = 200;
const SERVERS = 4;
const WINDOW_MINUTES = 20;
const plugins = builtinPluginHost();

type Run = { environmentId: string; serverId: string; status: string; scheduledFor: Date; createdAt: Date; startedAt: Date | null; finishedAt: Date | null };

/**
 * The most operations each server ran at once, from the recorded start and end times: a sweep over the starts and
 * ends in time order, an end counted before a start at the same instant (one backup ending as the next begins).
 */
function maxConcurrentPerServer(rows: Run[]): Map<string, number> {
  const events = new Map<string, Array<{ at: number; delta: number }>>();
  for (const row of rows) {
    if (!row.startedAt || !row.finishedAt) continue;
    const list = events.get(row.serverId) ?? [];
    list.push({ at: row.startedAt.getTime(), delta: 1 }, { at: row.finishedAt.getTime(), delta: -1 });
    events.set(row.serverId, list);
  }
  const max = new Map<string, number>();
  for (const [serverId, list] of events) {
    list.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let most = 0;
    for (const e of list) {
      running += e.delta;
      most = Math.max(most, running);
    }
    max.set(serverId, most);
  }
  return max;
}

let t: TestDatabase;
let owner: Principal;
const clients: Array<Awaited<ReturnType<typeof createClientDatabase>>> = [];
const workers: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Fleet"));
  // One tiny client database per server: the environments of a server share it, as small sites on one host often do.
  for (let i = 0; i < SERVERS; i++) {
    const client = await createClientDatabase();
    const url = Object.assign(new URL(adminDatabaseUrl()), { username: client.user, password: client.password, pathname: `/${client.database}` });
    const sqlClient = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await sqlClient`create table orders (id serial primary key, note text)`;
    await sqlClient`insert into orders (note) select 'order ' || n from generate_series(1, 100) n`;
    await sqlClient.end();
    clients.push(client);
  }
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  for (const c of clients) await c.drop();
  await t?.drop();
});

describe("a fleet of 200 environments on 4 servers under one start window", () => {
  it("backs every environment up once, each at its own slot spread over the window, with two workers", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const servers = [setup.server];
    for (let i = 1; i < SERVERS; i++) servers.push(await createServer(t.db, plugins, owner, { name: `Host ${i + 1}`, kind: "local", config: {}, allowedRoots: [ENVIRONMENTS_ROOT] }));
    // The window opens at the top of the hour twelve hours from now (UTC): far from the real clock either way.
    const hour = (new Date().getUTCHours() + 12) % 24;
    await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, schedule: `0 ${hour} * * *`, timezone: "UTC", spreadMinutes: WINDOW_MINUTES, includeFilestore: false, encrypt: false });
    const environmentIds: string[] = [];
    for (let i = 0; i < ENVIRONMENTS; i++) {
      const server = servers[i % SERVERS]!;
      const env = await createPostgresEnvironment(t.db, plugins, owner, { project: setup.project, server }, clients[i % SERVERS]!, `site-${String(i).padStart(3, "0")}`);
      environmentIds.push(env.id);
    }
    const windowStart = new Date();
    windowStart.setUTCHours(hour, 0, 0, 0);
    if (windowStart.getTime() <= Date.now()) windowStart.setUTCDate(windowStart.getUTCDate() + 1);

    for (let i = 0; i < 2; i++) {
      const worker = await startWorkerProcess({ DATABASE_URL: t.url, SAFEHOLD_WORKER_CONCURRENCY: "4" });
      workers.push(worker.child);
    }

    // The scheduler's clock, a minute a step from just before the window to its end, while the workers run what each step queued.
    const steps: Array<{ at: Date; enqueued: number }> = [];
    for (let minute = -1; minute <= WINDOW_MINUTES; minute++) {
      const at = new Date(windowStart.getTime() + minute * 60_000);
      const { enqueued } = await enqueueDueBackups(t.db, at);
      steps.push({ at, enqueued });
      await new Promise((r) => setTimeout(r, 500));
    }

    const runs = async () =>
      (
        await t.db.execute<{ environment_id: string; server_id: string; status: string; scheduled_for: string; created_at: string; started_at: string | null; finished_at: string | null }>(sql`
          select b.environment_id, e.server_id, b.status, b.scheduled_for, b.created_at, b.started_at, b.finished_at
          from backups b join environments e on e.id = b.environment_id
          where b.org_id = ${owner.orgId} and b.type = 'scheduled'`)
      ).map(
        (r): Run => ({
          environmentId: r.environment_id,
          serverId: r.server_id,
          status: r.status,
          scheduledFor: new Date(r.scheduled_for),
          createdAt: new Date(r.created_at),
          startedAt: r.started_at ? new Date(r.started_at) : null,
          finishedAt: r.finished_at ? new Date(r.finished_at) : null,
        }),
      );
    const deadline = Date.now() + 120_000;
    let rows = await runs();
    while (rows.some((r) => r.status !== "completed" && r.status !== "failed") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rows = await runs();
    }

    // Every environment backed up exactly once, at its own slot.
    expect(rows.filter((r) => r.status !== "completed").map((r) => `${r.environmentId}: ${r.status}`)).toEqual([]);
    expect(rows).toHaveLength(ENVIRONMENTS);
    expect(new Set(rows.map((r) => r.environmentId))).toEqual(new Set(environmentIds));
    for (const row of rows) expect(row.scheduledFor.getTime()).toBe(windowStart.getTime() + slotOffsetMs(row.environmentId, WINDOW_MINUTES));

    // Each step queued exactly the environments whose slot came since the step before (the insert records the tick's clock).
    for (const [i, step] of steps.entries()) {
      const since = i === 0 ? Number.NEGATIVE_INFINITY : steps[i - 1]!.at.getTime();
      const due = rows.filter((r) => r.scheduledFor.getTime() > since && r.scheduledFor.getTime() <= step.at.getTime());
      expect(rows.filter((r) => r.createdAt.getTime() === step.at.getTime()).map((r) => r.environmentId).sort()).toEqual(due.map((r) => r.environmentId).sort());
      expect(step.enqueued).toBe(due.length);
    }
    expect(steps[0]!.enqueued).toBe(0);

    // Spread over the window: each quarter starts a fair share (a quarter of 200 is 50).
    const quarters = [0, 0, 0, 0];
    for (const row of rows) quarters[Math.floor((row.scheduledFor.getTime() - windowStart.getTime()) / ((WINDOW_MINUTES * 60_000) / 4))]! += 1;
    console.log(`starts per quarter of the ${WINDOW_MINUTES}-minute window: ${quarters.join(", ")}; queued per minute: ${steps.map((s) => s.enqueued).join(" ")}`);
    for (const n of quarters) expect(n).toBeGreaterThanOrEqual(25);
    expect(Math.max(...steps.map((s) => s.enqueued))).toBeLessThan(ENVIRONMENTS / 5);

    // No server ever ran more than its limit (the default, 2), and the limit was reached: the fleet did contend for it.
    const perServer = maxConcurrentPerServer(rows);
    console.log(`most backups running at once per server: ${servers.map((s) => `${s.name}: ${perServer.get(s.id) ?? 0}`).join(", ")}`);
    expect([...perServer.keys()].sort()).toEqual(servers.map((s) => s.id).sort());
    const limits = await t.db.select({ id: serversTable.id, limit: serversTable.maxConcurrentOperations }).from(serversTable);
    for (const { id, limit } of limits.filter((l) => perServer.has(l.id))) expect(perServer.get(id)).toBeLessThanOrEqual(limit);
    expect(Math.max(...perServer.values())).toBe(2);
  }, 240_000);
});
