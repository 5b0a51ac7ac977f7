import { execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupJobKey } from "@/server/backups/job-key";
import { STALE_AFTER_SECONDS } from "@/server/backups/reap-stale";
import { backups, workerProcesses } from "@/server/db/schema";
import { environmentQueue } from "@/server/jobs/enqueue";
import { currentRunnerId, isRunnerAlive, joinWorkerPresence, presenceApplicationName, pruneGoneWorkerProcesses } from "@/server/jobs/worker-presence";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createBackupSetup, createPostgresEnvironment, listFiles, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startWorkerProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";

/**
 * Issue 11, item 5: the stale-run reaper must never free an environment's queue while the worker running it is
 * alive. A paused worker (long GC, stalled VM; here SIGSTOP) keeps its run, its job and its queue; a killed one
 * loses only its own job and its own queue. Real worker processes, a real PostgreSQL, a real pg_dump.
 */

const plugins = builtinPluginHost();
let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
const workers: ChildProcess[] = [];
const gates: { dir: string; open: () => void }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 1_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Reaper"));
});

afterAll(async () => {
  for (const gate of gates) gate.open();
  for (const w of workers) {
    if (w.exitCode !== null || w.signalCode !== null) continue;
    w.kill("SIGCONT");
    w.kill("SIGKILL");
  }
  await client?.drop();
  await t?.drop();
  // A held pg_dump polls its gate every 0.2 s: let every one see it open before the folder goes.
  await new Promise((r) => setTimeout(r, 1000));
  for (const gate of gates) fs.rmSync(gate.dir, { recursive: true, force: true });
});

/**
 * A `pg_dump` to put first on a worker's PATH: it sends the real dump's first 64 KiB, then holds the rest until
 * the test opens its gate, so a backup stays in progress (its heartbeat fresh) for as long as a test needs.
 */
function gatedPgDump(): { dir: string; open: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-gated-pg-dump-"));
  const gate = path.join(dir, "gate-open");
  const real = execFileSync("sh", ["-c", "command -v pg_dump"], { encoding: "utf8" }).trim();
  const script = [
    "#!/bin/bash",
    "set -o pipefail",
    `if [ "$1" = "--version" ]; then exec '${real}' --version; fi`,
    `'${real}' "$@" | { dd bs=64k count=1 iflag=fullblock status=none; while [ ! -e '${gate}' ]; do sleep 0.2; done; cat; }`,
  ].join("\n");
  fs.writeFileSync(path.join(dir, "pg_dump"), `${script}\n`, { mode: 0o755 });
  const wrapper = { dir, open: () => fs.writeFileSync(gate, "") };
  gates.push(wrapper);
  return wrapper;
}

async function startWorker(gate: { dir: string }, concurrency: number) {
  const worker = await startWorkerProcess({ DATABASE_URL: t.url, PATH: `${gate.dir}:${process.env.PATH}`, SAFEHOLD_WORKER_CONCURRENCY: String(concurrency) });
  workers.push(worker.child);
  const [row] = await t.db.select({ id: workerProcesses.id }).from(workerProcesses).where(eq(workerProcesses.pid, worker.child.pid!));
  if (!row) throw new Error(`worker ${worker.child.pid} has no worker_processes row:\n${worker.logs()}`);
  return { ...worker, runnerId: row.id };
}

async function stopWorker(worker: { child: ChildProcess }) {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((r) => worker.child.once("exit", r));
  worker.child.kill("SIGTERM");
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function backupRow(id: string) {
  const [row] = await t.db.select().from(backups).where(eq(backups.id, id));
  return row!;
}

/** The graphile-worker job of a backup, with the lock on its queue. */
async function jobOf(backupId: string) {
  const [row] = await t.sql<{ lockedBy: string | null; lockedAt: Date | null; queueName: string | null; queueLockedBy: string | null }[]>`
    select j.locked_by as "lockedBy", j.locked_at as "lockedAt", q.queue_name as "queueName", q.locked_by as "queueLockedBy"
    from graphile_worker._private_jobs j left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    where j.key = ${backupJobKey(backupId)}`;
  return row;
}

async function queueLock(queueName: string) {
  const [row] = await t.sql<{ lockedBy: string | null; lockedAt: Date | null }[]>`
    select locked_by as "lockedBy", locked_at as "lockedAt" from graphile_worker._private_job_queues where queue_name = ${queueName}`;
  return row;
}

/** Queues the reap task (what a worker does at start and every minute) and waits until a live worker has run it. */
async function reapNow(): Promise<void> {
  const [job] = await t.sql<{ id: string }[]>`select (graphile_worker.add_job('maintenance/reap-stale-runs', '{}'::json)).id::text as id`;
  await until("the reap task to run", async () => (await t.sql`select 1 from graphile_worker._private_jobs where id = ${job!.id}::bigint`).length === 0, 30_000);
}

/** True once the backup has given no sign of life for longer than the reaper's threshold. */
async function heartbeatIsStale(id: string): Promise<boolean> {
  const [row] = await t.sql<{ stale: boolean }[]>`
    select heartbeat_at < now() - make_interval(secs => ${STALE_AFTER_SECONDS}) as stale from backups where id = ${id}`;
  return row?.stale === true;
}

async function requestBackup(environmentId: string, name: string) {
  return createBackup(t.db, owner, { environmentId, name, notes: "", includeFilestore: true, retention: "daily" });
}

const RUNNING = ["in_progress", "uploading"];

describe("the stale-run reaper and a worker that is only paused", () => {
  it("leaves the paused worker's backup, job and environment queue alone; the backup completes on SIGCONT, then the next one runs", async () => {
    const gate = gatedPgDump();
    const setup = await createBackupSetup(t.db, plugins, owner);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "paused");
    const queue = environmentQueue(environment.id);

    const a = await startWorker(gate, 2);
    const first = await requestBackup(environment.id, "first");
    await until("the first backup to be running on worker A", async () => {
      const row = await backupRow(first.id);
      return row.status === "in_progress" && (row.progress?.bytes ?? 0) > 0 && row;
    });
    expect((await backupRow(first.id)).runnerId).toBe(a.runnerId);
    const second = await requestBackup(environment.id, "second");
    const b = await startWorker(gate, 2);

    // Whatever happens next, the two backups of this environment must never run at the same time.
    let bothRunning = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await t.db.select({ status: backups.status }).from(backups).where(eq(backups.environmentId, environment.id));
        if (rows.filter((r) => RUNNING.includes(r.status)).length > 1) bothRunning = true;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    onTestFinished(async () => {
      sampling = false;
      await sampler.catch(() => {});
    });

    const held = await jobOf(first.id);
    expect(held).toMatchObject({ queueName: queue, queueLockedBy: held!.lockedBy });
    expect(held!.lockedBy).toBeTruthy();
    expect(await backupRow(second.id)).toMatchObject({ status: "pending", startedAt: null });

    process.kill(a.child.pid!, "SIGSTOP");
    try {
      // The weakened setting: the first backup's heartbeat is now older than the threshold, which is all the old
      // rule looked at before force-unlocking A's worker and removing the job (releasing the queue to B).
      await until(`the first backup's heartbeat to be older than ${STALE_AFTER_SECONDS} s`, () => heartbeatIsStale(first.id), (STALE_AFTER_SECONDS + 30) * 1000);
      expect(RUNNING).toContain((await backupRow(first.id)).status);
      // A is paused, not gone: its presence session is still there.
      expect(await isRunnerAlive(t.db, a.runnerId)).toBe(true);

      await reapNow();

      expect(await backupRow(first.id)).toMatchObject({ status: "in_progress", error: null, finishedAt: null, runnerId: a.runnerId });
      expect(await jobOf(first.id)).toEqual(held);
      expect((await queueLock(queue))?.lockedBy).toBe(held!.lockedBy);
      expect(await backupRow(second.id)).toMatchObject({ status: "pending", startedAt: null });
      expect(b.logs()).toContain(`backup ${first.id}`);
    } finally {
      process.kill(a.child.pid!, "SIGCONT");
    }

    gate.open();
    const firstDone = await waitForBackup(t.db, owner, first.id, 90_000);
    expect(firstDone).toMatchObject({ status: "completed", verified: true });
    const secondDone = await waitForBackup(t.db, owner, second.id, 90_000);
    expect(secondDone).toMatchObject({ status: "completed", verified: true });
    sampling = false;
    await sampler;
    expect(bothRunning).toBe(false);
    expect(Date.parse(secondDone.startedAt!)).toBeGreaterThanOrEqual(Date.parse(firstDone.finishedAt!));

    await Promise.all([stopWorker(a), stopWorker(b)]);
    // A clean stop removes the process's row and closes its session (the server process ends a moment later).
    expect(await t.db.select().from(workerProcesses).where(eq(workerProcesses.id, a.runnerId))).toEqual([]);
    await until("A's presence session to end", async () => !(await isRunnerAlive(t.db, a.runnerId)), 5_000);
  }, 240_000);
});

describe("the stale-run reaper and a worker that was killed", () => {
  it("fails only the dead worker's backup, frees only its environment's queue, and leaves another worker's job and queue locked", async () => {
    const gate = gatedPgDump();
    const setup = await createBackupSetup(t.db, plugins, owner);
    const x = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "killed-x");
    const y = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "alive-y");

    // A runs one job at a time, so Y's backup goes to C.
    const a = await startWorker(gate, 1);
    const onX = await requestBackup(x.id, "on the worker that dies");
    await until("X's backup to be running on worker A", async () => {
      const row = await backupRow(onX.id);
      return row.status === "in_progress" && (row.progress?.bytes ?? 0) > 0 && row.runnerId === a.runnerId;
    });
    const c = await startWorker(gate, 2);
    const onY = await requestBackup(y.id, "on the worker that lives");
    await until("Y's backup to be running on worker C", async () => {
      const row = await backupRow(onY.id);
      return row.status === "in_progress" && row.runnerId === c.runnerId;
    });

    // The weakened setting: when A dies, both jobs are locked, each holding its own environment's queue, and X's
    // backup has a partial file in storage.
    const xJob = await jobOf(onX.id);
    const yJob = await jobOf(onY.id);
    expect(xJob).toMatchObject({ queueName: environmentQueue(x.id), queueLockedBy: xJob!.lockedBy });
    expect(yJob).toMatchObject({ queueName: environmentQueue(y.id), queueLockedBy: yJob!.lockedBy });
    expect(xJob!.lockedBy).toBeTruthy();
    expect(yJob!.lockedBy).toBeTruthy();
    expect(yJob!.lockedBy).not.toBe(xJob!.lockedBy);
    const yQueueBefore = await queueLock(environmentQueue(y.id));
    expect(listFiles(setup.storageDir).filter((f) => f.includes(onX.id)).length).toBeGreaterThan(0);

    const exited = new Promise((r) => a.child.once("exit", r));
    a.child.kill("SIGKILL");
    await exited;
    await until("A's presence session to be gone", async () => !(await isRunnerAlive(t.db, a.runnerId)), 10_000);
    expect((await backupRow(onX.id)).status).toBe("in_progress");

    await until(`X's backup heartbeat to be older than ${STALE_AFTER_SECONDS} s`, () => heartbeatIsStale(onX.id), (STALE_AFTER_SECONDS + 30) * 1000);
    await reapNow();

    expect(await backupRow(onX.id)).toMatchObject({
      status: "failed",
      error: `The worker running this backup stopped unexpectedly (no progress for ${STALE_AFTER_SECONDS} s); run the backup again`,
    });
    expect(listFiles(setup.storageDir).filter((f) => f.includes(onX.id))).toEqual([]);
    expect(await jobOf(onX.id)).toBeUndefined();
    expect(await queueLock(environmentQueue(x.id))).toMatchObject({ lockedBy: null, lockedAt: null });
    // C's job and Y's queue are exactly as they were.
    expect(await jobOf(onY.id)).toEqual(yJob);
    expect(await queueLock(environmentQueue(y.id))).toEqual(yQueueBefore);
    expect(RUNNING).toContain((await backupRow(onY.id)).status);

    gate.open();
    expect(await waitForBackup(t.db, owner, onY.id, 90_000)).toMatchObject({ status: "completed", verified: true });
    // X's queue moves on: its next backup runs at once.
    const next = await requestBackup(x.id, "after the crash");
    expect(await waitForBackup(t.db, owner, next.id, 90_000)).toMatchObject({ status: "completed", verified: true });
    await stopWorker(c);
  }, 240_000);
});

describe("worker presence", () => {
  it("says a runner is alive exactly while its presence session is open in this database", async () => {
    // Before joining, this process is nobody: its runs record no runner, and its id does not count as alive.
    expect(currentRunnerId()).toBeNull();
    const presence = await joinWorkerPresence(t.url);
    try {
      expect(currentRunnerId()).toBe(presence.runnerId);
      expect(await isRunnerAlive(t.db, presence.runnerId)).toBe(true);
      expect(await t.db.select({ pid: workerProcesses.pid }).from(workerProcesses).where(eq(workerProcesses.id, presence.runnerId))).toEqual([{ pid: process.pid }]);
      expect(await isRunnerAlive(t.db, "00000000-0000-0000-0000-000000000000")).toBe(false);
    } finally {
      await presence.leave();
    }
    expect(currentRunnerId()).toBeNull();
    await until("the closed session to leave pg_stat_activity", async () => !(await isRunnerAlive(t.db, presence.runnerId)), 5_000);
    expect(await t.db.select().from(workerProcesses).where(eq(workerProcesses.id, presence.runnerId))).toEqual([]);
  });

  it("answers afresh inside a transaction, where PostgreSQL would otherwise keep its first view of the sessions", async () => {
    const presence = await joinWorkerPresence(t.url);
    let closed = false;
    try {
      await t.db.transaction(async (tx) => {
        expect(await isRunnerAlive(tx, presence.runnerId)).toBe(true);
        await presence.leave();
        closed = true;
        await until("the closed session to disappear, seen from the same transaction", async () => !(await isRunnerAlive(tx, presence.runnerId)), 10_000);
      });
    } finally {
      if (!closed) await presence.leave();
    }
  });

  it("does not count a session of that name in another database", async () => {
    const runnerId = "11111111-1111-1111-1111-111111111111";
    const elsewhere = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {}, connection: { application_name: presenceApplicationName(runnerId) } });
    try {
      await elsewhere`select 1`;
      const [seen] = await t.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where application_name = ${presenceApplicationName(runnerId)}`;
      expect(seen!.n).toBe(1);
      expect(await isRunnerAlive(t.db, runnerId)).toBe(false);
    } finally {
      await elsewhere.end();
    }
  });

  it("forgets worker processes gone for minutes, never a live one", async () => {
    const presence = await joinWorkerPresence(t.url);
    try {
      const gone = "22222222-2222-2222-2222-222222222222";
      const recent = "33333333-3333-3333-3333-333333333333";
      await t.db.insert(workerProcesses).values([
        { id: gone, hostname: "elsewhere", pid: 1, heartbeatAt: new Date(Date.now() - 10 * 60_000) },
        { id: recent, hostname: "elsewhere", pid: 2, heartbeatAt: new Date() },
      ]);
      // A live process whose heartbeat row is old (paused for minutes) keeps its row.
      await t.db.update(workerProcesses).set({ heartbeatAt: new Date(Date.now() - 10 * 60_000) }).where(eq(workerProcesses.id, presence.runnerId));
      await pruneGoneWorkerProcesses(t.db);
      const left = new Set((await t.db.select({ id: workerProcesses.id }).from(workerProcesses)).map((r) => r.id));
      expect([gone, recent, presence.runnerId].map((id) => left.has(id))).toEqual([false, true, true]);
    } finally {
      await presence.leave();
    }
  });
});
