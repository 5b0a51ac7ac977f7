import type { ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog, backups } from "@/server/db/schema";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { getBackup } from "@/server/services/backups";
import { enqueueDueBackups } from "@/server/schedules/enqueue-due-backups";
import { createServer, updateServer } from "@/server/services/servers";
import { ENVIRONMENTS_ROOT, createBackupSetup, createPostgresEnvironment, listFiles, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startWorkerProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { freePort } from "../helpers/ports";
import { fillTrickyData } from "../helpers/tricky-data";

const STALLED_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/stalled-pg-dump");
const plugins = builtinPluginHost();
let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
const children: ChildProcess[] = [];
let forwarder: net.Server | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 50_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Retries"));
  worker = await startWorkerProcess({ DATABASE_URL: t.url });
  children.push(worker.child);
});

afterAll(async () => {
  forwarder?.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await client?.drop();
  await t?.drop();
});

/** A TCP forwarder on `port` to the real PostgreSQL: from now on the source accepts connections. */
function forward(port: number): Promise<net.Server> {
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: client.host, port: client.port });
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** Queues the environment's scheduled backup for its latest slot, as the scheduler's tick does. */
async function scheduledBackupOf(environmentId: string): Promise<string> {
  await enqueueDueBackups(t.db, new Date(Date.now() + 61_000));
  const [row] = await t.db.select({ id: backups.id }).from(backups).where(and(eq(backups.environmentId, environmentId), eq(backups.type, "scheduled")));
  return row!.id;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}\nworker output:\n${worker.logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const jobsOf = (backupId: string) => t.sql<{ run_at: Date }[]>`select run_at from graphile_worker._private_jobs where key = ${`backup:${backupId}`}`;
const failActivities = (backupId: string) => t.db.select().from(activityLog).where(and(eq(activityLog.action, "backup.fail"), eq(activityLog.targetId, backupId)));

describe("retries of a scheduled backup", () => {
  it("tries a backup whose source refused the connection again as the same backup, and completes it", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), schedule: "* * * * *", retries: { attempts: 3, withinMinutes: 120 } });
    const port = await freePort();
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, { ...client, host: "127.0.0.1", port }, "refusing");
    const id = await scheduledBackupOf(environment.id);

    const waiting = await until("the first attempt's failure", () => getBackup(t.db, owner, id), (b) => b.attempt === 2);
    expect(waiting).toMatchObject({ status: "pending", attempt: 2, maxAttempts: 3 });
    expect(waiting.progress?.phase).toMatch(/^retrying at \d\d:\d\d UTC \(attempt 2 of 3\)$/);
    expect(waiting.log.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Attempt 1 of 3 failed: Nothing is listening on 127\.0\.0\.1:\d+ \(connection refused\); trying again at \d\d:\d\d UTC$/));
    expect(listFiles(setup.storageDir), "the failed attempt's files").toEqual([]);
    const [job] = await jobsOf(id);
    // The next attempt waits its backoff (40 minutes after the first failure by default).
    expect(job!.run_at.getTime() - Date.now()).toBeGreaterThan(35 * 60_000);
    expect(await failActivities(id)).toEqual([]);

    // The source comes back; the test pulls the retry forward instead of waiting 40 minutes.
    forwarder = await forward(port);
    await t.sql`update graphile_worker._private_jobs set run_at = now() where key = ${`backup:${id}`}`;
    const done = await waitForBackup(t.db, owner, id, 90_000);
    expect(done).toMatchObject({ status: "completed", verified: true, attempt: 2 });
    const messages = done.log.map((l) => l.message);
    expect(messages.filter((m) => m.startsWith("Attempt 1 of 3 failed"))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith("Stored the database file"))).toHaveLength(1);
    // One backup row for the slot, no failure recorded.
    expect(await t.db.select({ id: backups.id }).from(backups).where(eq(backups.environmentId, environment.id))).toEqual([{ id }]);
    expect(await failActivities(id)).toEqual([]);
  }, 180_000);

  it("fails a backup whose password is wrong once, without another attempt", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), schedule: "* * * * *", retries: { attempts: 3, withinMinutes: 120 } });
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, { ...client, password: "not-the-password" }, "wrong-password");
    const id = await scheduledBackupOf(environment.id);

    const failed = await waitForBackup(t.db, owner, id, 60_000);
    expect(failed).toMatchObject({ status: "failed", attempt: 1, maxAttempts: null });
    expect(failed.error).toContain("Authentication failed");
    expect(await jobsOf(id), "a job for another attempt").toEqual([]);
    expect(await failActivities(id)).toHaveLength(1);
    // Nothing starts it again: it is still the one failed attempt a while later.
    await new Promise((r) => setTimeout(r, 5000));
    const later = await getBackup(t.db, owner, id);
    expect(later).toMatchObject({ status: "failed", attempt: 1, startedAt: failed.startedAt });
    expect(later.log.some((l) => l.message.startsWith("Attempt"))).toBe(false);
  }, 120_000);

  it("queues another attempt of a backup whose worker was killed, instead of failing it", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), schedule: "* * * * *", retries: { attempts: 3, withinMinutes: 120 } });
    // A pg_dump that stalls after its first megabyte, so the worker dies with the backup surely mid-dump.
    const paced = await createServer(t.db, plugins, owner, { name: "Stalled host", kind: "local", config: {}, allowedRoots: [ENVIRONMENTS_ROOT], programs: { pg_dump: STALLED_PG_DUMP } });
    const environment = await createPostgresEnvironment(t.db, plugins, owner, { project: setup.project, server: paced }, client, "killed");
    const id = await scheduledBackupOf(environment.id);
    await until("the backup's first bytes", () => getBackup(t.db, owner, id), (b) => (b.progress?.bytes ?? 0) > 0 && b.status === "in_progress");
    const exited = new Promise((r) => worker.child.once("exit", r));
    worker.child.kill("SIGKILL");
    await exited;

    worker = await startWorkerProcess({ DATABASE_URL: t.url });
    children.push(worker.child);
    // The reaper notices the silent backup (30 s without progress) and queues its next attempt.
    const waiting = await until("the reaper's retry", () => getBackup(t.db, owner, id), (b) => b.attempt === 2, 90_000);
    expect(waiting).toMatchObject({ status: "pending", attempt: 2, maxAttempts: 3 });
    expect(waiting.log.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Attempt 1 of 3 failed: The worker running this backup stopped unexpectedly \(no progress for 30 s\); trying again at \d\d:\d\d UTC$/));
    expect(listFiles(setup.storageDir), "the killed attempt's files").toEqual([]);
    expect(await failActivities(id)).toEqual([]);

    // The next attempt dumps with the real pg_dump, now rather than at its backoff time.
    await updateServer(t.db, plugins, owner, { id: paced.id, programs: {} });
    await t.sql`update graphile_worker._private_jobs set run_at = now() where key = ${`backup:${id}`}`;
    expect(await waitForBackup(t.db, owner, id, 90_000)).toMatchObject({ status: "completed", verified: true, attempt: 2 });
  }, 240_000);
});
