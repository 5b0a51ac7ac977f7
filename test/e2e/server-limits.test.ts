import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { updateServer } from "@/server/services/servers";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startWorkerProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";

const PACED_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/paced-pg-dump");

const plugins = builtinPluginHost();
let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 1_000_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Limits"));
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  await client?.drop();
  await t?.drop();
});

async function startWorker(concurrency = "4") {
  const worker = await startWorkerProcess({ DATABASE_URL: t.url, SAFEHOLD_WORKER_CONCURRENCY: concurrency });
  workers.push(worker.child);
  return worker;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

/** The most runs that were ever running at once, from their recorded start and end. */
function mostAtOnce(runs: { startedAt: string | null; finishedAt: string | null }[]): number {
  const events = runs.flatMap((r) => [
    { at: Date.parse(r.startedAt!), delta: 1 },
    { at: Date.parse(r.finishedAt!), delta: -1 },
  ]);
  // An end and a start at the same instant: the end first (the slot was given back before it was taken).
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (running += e.delta));
  return most;
}

describe("a server's limit on concurrent operations", () => {
  it("runs the backups of several environments on a server of limit 1 one at a time across two workers, showing the others waiting", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    await updateServer(t.db, plugins, owner, { id: setup.server.id, maxConcurrentOperations: 1 });
    const environments = await Promise.all(["a", "b", "c", "d"].map((name) => createPostgresEnvironment(t.db, plugins, owner, setup, client, name)));
    // One job at a time per worker, both running before the backups are queued: while one worker runs a backup,
    // only the other can be the one that finds the server full and waits, so a wait seen proves the limit holds
    // across processes.
    const one = await startWorker("1");
    const two = await startWorker("1");
    const queued = await Promise.all(environments.map((e) => createBackup(t.db, owner, { environmentId: e.id, name: "", notes: "", includeFilestore: true, retention: "daily" })));
    const phases = new Set<string>();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const now = await Promise.all(queued.map((b) => getBackup(t.db, owner, b.id)));
      for (const b of now) if (b.status === "pending" && b.progress) phases.add(b.progress.phase);
      if (now.every((b) => b.status === "completed" || b.status === "failed")) break;
      if (Date.now() > deadline) throw new Error(`backups still running:\n${one.logs()}\n${two.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = await Promise.all(queued.map((b) => getBackup(t.db, owner, b.id)));
    for (const b of done) expect(b).toMatchObject({ status: "completed", verified: true });
    expect(mostAtOnce(done)).toBe(1);
    expect([...phases].some((p) => p.startsWith("waiting for server capacity")), `phases seen: ${[...phases].join(", ")}`).toBe(true);
    // Every slot was given back.
    expect(await t.sql`select * from server_operation_leases where server_id = ${setup.server.id}`).toEqual([]);
    await Promise.all([stop(one.child), stop(two.child)]);
  }, 300_000);

  it("does not let a killed worker's slot block the server", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    // The dump pauses after its first megabyte, so the worker is killed mid-backup however fast the rest would be.
    await updateServer(t.db, plugins, owner, { id: setup.server.id, maxConcurrentOperations: 1, programs: { pg_dump: PACED_PG_DUMP } });
    const [doomedEnv, nextEnv] = await Promise.all(["doomed", "next"].map((name) => createPostgresEnvironment(t.db, plugins, owner, setup, client, name)));
    const first = await startWorker();
    const doomed = await createBackup(t.db, owner, { environmentId: doomedEnv!.id, name: "", notes: "", includeFilestore: true, retention: "daily" });
    const deadline = Date.now() + 60_000;
    while (((await getBackup(t.db, owner, doomed.id)).progress?.bytes ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error(`the backup never started:\n${first.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop(first.child, "SIGKILL");
    expect(["in_progress", "uploading"]).toContain((await getBackup(t.db, owner, doomed.id)).status);

    const second = await startWorker();
    const startedAt = Date.now();
    const next = await createBackup(t.db, owner, { environmentId: nextEnv!.id, name: "", notes: "", includeFilestore: true, retention: "daily" });
    const done = await waitForBackup(t.db, owner, next.id, 90_000);
    expect(done).toMatchObject({ status: "completed", verified: true });
    // It started at once, long before the dead worker's backup could be noticed as stale (30 s without progress).
    expect(Date.parse(done.startedAt!) - startedAt).toBeLessThan(20_000);
    await stop(second.child);
  }, 240_000);
});
