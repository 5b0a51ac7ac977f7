import { execFileSync, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { isAlive } from "@/server/db/embedded";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { createBackupSetup, createPostgresEnvironment, listFiles, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startWorkerProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";

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
  await fillTrickyData(url.toString(), 4_000_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Crash"));
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  await client?.drop();
  await t?.drop();
});

describe("a worker killed in the middle of a backup", () => {
  it("leaves no backup running forever: it is failed within a minute of the next worker starting, and the queue moves on", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client);
    const env = { DATABASE_URL: t.url };
    const first = await startWorkerProcess(env);
    workers.push(first.child);
    const backup = await createBackup(t.db, owner, { environmentId: environment.id, name: "doomed", notes: "", includeFilestore: true, retention: "daily" });
    const deadline = Date.now() + 60_000;
    while (((await getBackup(t.db, owner, backup.id)).progress?.bytes ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error(`the backup never started:\n${first.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect((await getBackup(t.db, owner, backup.id)).status).toBe("in_progress");

    const restartedAt = Date.now();
    const second = await startWorkerProcess(env);
    workers.push(second.child);
    const failed = await waitForBackup(t.db, owner, backup.id, 90_000).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output:\n${second.logs()}`);
    });
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    expect(failed).toMatchObject({ status: "failed", error: "The worker running this backup stopped unexpectedly (no progress for 30 s); run the backup again" });
    expect(listFiles(setup.storageDir), "files left in storage").toEqual([]);
    const orphans = (() => {
      try {
        return execFileSync("pgrep", ["-f", `pg_dump.*--username ${client.user}`], { encoding: "utf8" }).trim().split("\n").map(Number).filter(isAlive);
      } catch {
        return [];
      }
    })();
    expect(orphans).toEqual([]);

    // The environment's queue is not left locked by the dead worker: the next backup runs at once.
    const next = await createBackup(t.db, owner, { environmentId: environment.id, name: "after the crash", notes: "", includeFilestore: true, retention: "daily" });
    expect(await waitForBackup(t.db, owner, next.id, 90_000)).toMatchObject({ status: "completed", verified: true });
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  }, 240_000);
});
