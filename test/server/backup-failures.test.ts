import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createBackupSetup, createPostgresEnvironment, listFiles, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";
import { freePort } from "../helpers/ports";

const OLD_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/old-pg-dump");
const plugins = builtinPluginHost();
let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
const mounts: string[] = [];


/** A small tmpfs (root only: CI runs as root), to stand in for a full or read-only disk. */
function mountTmpfs(options: string): string {
  if (process.getuid?.() !== 0) throw new Error("This test mounts a tmpfs to fill a disk, which needs root (CI runs as root)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

async function backupOf(sourceConfig: Record<string, unknown>, storageLocationId?: string, server: { id: string } = setup.server) {
  const env = await createPostgresEnvironment(t.db, plugins, owner, { ...setup, server }, { ...client, ...sourceConfig } as typeof client, `env-${Math.random().toString(36).slice(2, 8)}`);
  const backup = await createBackup(t.db, owner, { environmentId: env.id, name: "", notes: "", includeFilestore: true, retention: "daily", storageLocationId });
  return { env, backup };
}

/** A failed backup: its one-line message, whether storage is to blame (the dashboard's "storage error"), and nothing of it in storage. */
async function expectFailed(id: string, message: string | RegExp, storageDir = setup.storageDir) {
  const done = await waitForBackup(t.db, owner, id);
  expect(done.status).toBe("failed");
  expect(done.failureKind).toBe(storageDir === setup.storageDir ? "source" : "storage");
  expect(done.progress?.phase).toBe("failed");
  expect(done.error).toMatch(typeof message === "string" ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : message);
  expect(done.error).not.toContain("\n");
  expect(done.verified).toBe(false);
  expect(listFiles(storageDir).filter((f) => f.includes(id))).toEqual([]);
  const [activity] = await t.sql`select outcome, message from activity_log where target_id = ${id} and action = 'backup.fail'`;
  expect(activity).toMatchObject({ outcome: "failure", message: done.error });
  return done;
}

beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 1_500_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Failures"));
  setup = await createBackupSetup(t.db, plugins, owner);
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  for (const dir of mounts) execFileSync("umount", ["-l", dir]);
  await client?.drop();
  await t?.drop();
});

describe("a backup that cannot be taken fails clearly and leaves nothing behind", () => {
  it("source unreachable", async () => {
    const port = await freePort();
    const { backup } = await backupOf({ port });
    await expectFailed(backup.id, `Nothing is listening on ${client.host}:${port} (connection refused)`);
  });

  it("wrong password", async () => {
    const { backup } = await backupOf({ password: "not-the-password" });
    await expectFailed(backup.id, `Authentication failed for user "${client.user}": wrong password`);
  });

  it("database missing", async () => {
    const { backup } = await backupOf({ database: "no_such_database" });
    await expectFailed(backup.id, `Database "no_such_database" does not exist on ${client.host}:${client.port}`);
  });

  /** This host again, with the program an admin set for pg_dump in the server's settings. */
  async function hostWithPgDump(path: string) {
    return createServer(t.db, plugins, owner, { name: `This host, pg_dump ${path}`, kind: "local", config: {}, programs: { pg_dump: path } });
  }

  it("pg_dump missing", async () => {
    const { backup } = await backupOf({}, undefined, await hostWithPgDump("/opt/nowhere/pg_dump"));
    await expectFailed(backup.id, /^Command "\/opt\/nowhere\/pg_dump" is not installed on this server \(not found in PATH\): install the PostgreSQL 15 client tools on the server \(Debian\/Ubuntu: apt install postgresql-client-15\), or set the path of pg_dump in the server's settings$/);
  });

  it("pg_dump older than the server", async () => {
    const { backup } = await backupOf({}, undefined, await hostWithPgDump(OLD_PG_DUMP));
    await expectFailed(backup.id, /^pg_dump 9\.6\.24 on the server is older than PostgreSQL 15\.\d+ and cannot dump it: install the PostgreSQL 15 client tools/);
  });

  it("storage not writable", async () => {
    const dir = mountTmpfs("ro,size=1m");
    const location = await createStorageLocation(t.db, plugins, owner, { name: "Read-only disk", provider: "local", config: { path: dir } });
    const { backup } = await backupOf({}, location.id);
    await expectFailed(backup.id, `${dir} is on a read-only file system`, dir);
  });

  it("disk full", async () => {
    const dir = mountTmpfs("size=1m");
    const location = await createStorageLocation(t.db, plugins, owner, { name: "Tiny disk", provider: "local", config: { path: dir } });
    const { backup } = await backupOf({}, location.id);
    await expectFailed(backup.id, `The disk holding ${dir} is full`, dir);
    expect(fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).includes(".partial-"))).toEqual([]);
  });

  it("pg_dump killed mid-way; the next backup of that environment then runs normally", async () => {
    const { env, backup } = await backupOf({});
    // Killed as soon as it runs: the dump of this database takes about a second, shorter than a progress tick.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        execFileSync("pkill", ["-KILL", "-f", `pg_dump.*--username ${client.user}`]);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error("the dump never started");
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await expectFailed(backup.id, "pg_dump was stopped by signal SIGKILL before the dump was complete");

    const next = await createBackup(t.db, owner, { environmentId: env.id, name: "", notes: "", includeFilestore: true, retention: "daily" });
    expect(await waitForBackup(t.db, owner, next.id)).toMatchObject({ status: "completed", verified: true });
    const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
    expect(await admin`select count(*)::int as n from pg_stat_activity where application_name = 'safehold-backup'`).toEqual([{ n: 0 }]);
    await admin.end();
  });
});
