import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupPrefix } from "@/server/backups/keys";
import { hashStoredObject } from "@/server/backups/stream-to-storage";
import { orgDefaultPolicy, putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createBackup, deleteBackup, retryCopy } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { getDashboard } from "@/server/services/dashboard";
import { openStorage } from "@/server/services/plugin-config";
import { createRestore } from "@/server/services/restores";
import { createStorageLocation, updateStorageLocation } from "@/server/services/storage-locations";
import { runRetentionPass } from "@/server/retention/retention-pass";
import { activityLog, backupCopies, backups, storageLocations } from "@/server/db/schema";
import { desc, eq } from "drizzle-orm";
import { createBackupSetup, createPostgresEnvironment, listFiles, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { waitForRestore } from "../helpers/restore-env";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import { startS3Storage } from "../helpers/storage-servers/s3";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * Second copies on real servers: a local primary copied to s3rver, verified, and removed with the backup; a copy
 * to an FTP server refusing its password, retried and failed on the dashboard; and a restore that reads from the
 * second copy while the s3rver holding the primary is stopped.
 */
let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
const servers: StorageTarget[] = [];
const plugins = builtinPluginHost();

function clientUrl(): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  return url.toString();
}

async function clientRows(): Promise<string[]> {
  const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ name: string }[]>`select name from invoices order by id`).map((r) => r.name);
  } finally {
    await sql.end();
  }
}

async function addLocation(name: string, target: StorageTarget, config = target.config) {
  return createStorageLocation(t.db, plugins, owner, { name, provider: target.provider, config, isDefault: false });
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setOrgCopies(copies: string[]) {
  return putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), copies });
}

async function backupNow(environmentId: string) {
  const created = await createBackup(t.db, owner, { environmentId, name: "", notes: "", retention: "monthly" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

/** Every object of a backup in a location, with its size and sha256 as the location returns it. */
async function storedObjects(locationId: string, backup: { id: string; orgId?: string; projectId: string; environmentId: string }) {
  const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, locationId));
  const storage = await openStorage(plugins, location!);
  try {
    // The FTP provider removes emptied folders, and listing a folder that is gone is an error there.
    const listed = await storage.list(backupPrefix({ ...backup, orgId: owner.orgId })).catch((err: Error) => {
      if (/No such file or directory/.test(err.message)) return [];
      throw err;
    });
    return await Promise.all(listed.map(async (o) => ({ key: o.key, ...(await hashStoredObject(storage, o.key)) })));
  } finally {
    await storage.close();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Second Copies"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createClientDatabase({ createdb: true });
  const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
  await sql`create table invoices (id serial primary key, name text not null)`;
  await sql`insert into invoices (name) select 'INV-' || n from generate_series(1, 2000) as n`;
  await sql.end();
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  for (const server of servers) await server.stop().catch(() => {});
  await client?.drop();
  await t?.drop();
});

describe("second copies", () => {
  it("copies a verified backup to a second location, byte for byte, and deleting the backup removes both", async () => {
    const s3 = await startS3Storage();
    servers.push(s3);
    const offsite = await addLocation("Offsite S3", s3);
    // The primary cannot be its own second copy.
    await expect(setOrgCopies([setup.storage.id])).rejects.toThrow(/already holds the backups: a second copy must go to another location/);
    await setOrgCopies([offsite.id]);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "copied");

    const backup = await backupNow(environment.id);
    const copied = await until("the second copy", () => getBackup(t.db, owner, backup.id), (b) => b.copies[0]?.status === "completed");
    expect(copied.copies).toEqual([{ storageLocationId: offsite.id, name: "Offsite S3", status: "completed", verifiedAt: expect.any(String), error: null, attempts: 1 }]);

    // The same keys with the same bytes as the catalog says, manifest included.
    const catalog = copied.artifacts.map((a) => ({ key: a.key, size: a.size, sha256: a.sha256 })).sort((a, b) => a.key.localeCompare(b.key));
    expect(catalog.map((a) => a.key.split("-").pop())).toEqual(["database.sql.gz", "manifest.json"]);
    const inCopy = (await storedObjects(offsite.id, backup)).map(({ key, size, sha256 }) => ({ key, size, sha256 }));
    expect(inCopy).toEqual(catalog);

    // The dashboard counts the copy in the storage it takes.
    expect((await getDashboard(t.db, owner)).storage.find((l) => l.storageLocationId === offsite.id)).toMatchObject({ usedBytes: copied.sizeBytes, backups: 1 });

    await deleteBackup(t.db, plugins, owner, backup.id);
    expect(listFiles(setup.storageDir)).toEqual([]);
    expect(await storedObjects(offsite.id, backup)).toEqual([]);
    await setOrgCopies([]);
  });

  it("retries a copy the FTP server refuses, ends it failed with the error on the dashboard, and a retry after the fix completes it", async () => {
    const ftp = await startFtpStorage();
    servers.push(ftp);
    const broken = await addLocation("Broken FTP", ftp, ftp.badCredentials!);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "ftp-copied");
    await putOverride(t.db, owner, environment.id, { copies: [broken.id] });

    const backup = await backupNow(environment.id);
    // The first attempt fails and waits for graphile-worker's retry, with its error recorded.
    const waiting = await until("the first failed attempt", () => getBackup(t.db, owner, backup.id), (b) => b.copies[0]?.attempts === 1 && b.copies[0].status === "pending");
    expect(waiting.copies[0]!.error).toMatch(/password|login|530/i);
    // Skip the backoff (3 s, 7 s, 20 s, 55 s): each waiting attempt is made due at once.
    const failed = await until(
      "the last attempt",
      async () => {
        await t.sql`update graphile_worker._private_jobs set run_at = now() where locked_at is null and task_id = (select id from graphile_worker._private_tasks where identifier = 'backup/copy')`;
        return getBackup(t.db, owner, backup.id);
      },
      (b) => b.copies[0]?.status === "failed",
    );
    expect(failed.copies[0]).toMatchObject({ name: "Broken FTP", status: "failed", attempts: 5, verifiedAt: null, error: waiting.copies[0]!.error });
    // graphile-worker gave the job up: nothing of it is left.
    await until("the job to go", async () => (await t.sql`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'backup/copy'`)[0]!.n as number, (n) => n === 0);

    const dashboard = await getDashboard(t.db, owner);
    expect(dashboard.failedCopiesTotal).toBe(1);
    expect(dashboard.failedCopies).toEqual([
      expect.objectContaining({ backupId: backup.id, storageLocationId: broken.id, environmentName: "ftp-copied", attempts: 5, reason: `Second copy failed: Broken FTP: ${waiting.copies[0]!.error}` }),
    ]);

    // The FTP password is put right; the retry action makes the copy.
    await updateStorageLocation(t.db, plugins, owner, { id: broken.id, config: ftp.config });
    await retryCopy(t.db, owner, { backupId: backup.id, storageLocationId: broken.id });
    const fixed = await until("the retried copy", () => getBackup(t.db, owner, backup.id), (b) => b.copies[0]?.status === "completed");
    expect(fixed.copies[0]).toMatchObject({ status: "completed", error: null, attempts: 6 });
    expect((await getDashboard(t.db, owner)).failedCopies).toEqual([]);

    await deleteBackup(t.db, plugins, owner, backup.id);
    expect(await storedObjects(broken.id, backup)).toEqual([]);
  });

  it("restores from the second copy when the s3rver holding the primary is stopped, and says so", async () => {
    const primaryS3 = await startS3Storage();
    servers.push(primaryS3);
    const primary = await addLocation("Primary S3", primaryS3);
    const copyS3 = await startS3Storage();
    servers.push(copyS3);
    const second = await addLocation("Second S3", copyS3);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "failover");
    await putOverride(t.db, owner, environment.id, { storageLocationId: primary.id, copies: [second.id] });
    const before = await clientRows();

    const backup = await backupNow(environment.id);
    expect(backup.storageLocationName).toBe("Primary S3");
    await until("the second copy", () => getBackup(t.db, owner, backup.id), (b) => b.copies[0]?.status === "completed");

    // The primary's server goes away (stopped once: it is no longer the afterAll's), and the client's data changes.
    servers.splice(servers.indexOf(primaryS3), 1);
    await primaryS3.stop();
    const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
    await sql`delete from invoices where id > 10`;
    await sql.end();
    expect(await clientRows()).toHaveLength(10);

    const restore = await createRestore(t.db, plugins, owner, { backupId: backup.id, target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(await clientRows()).toEqual(before);
    const [row] = await t.sql<{ log: Array<{ message: string; level: string }> }[]>`select log from restores where id = ${restore.id}`;
    expect(row!.log).toContainEqual({
      at: expect.any(String),
      level: "warn",
      message: expect.stringMatching(/^Read the backup from the second copy in Second S3: the primary location Primary S3 was unreachable \(.+\)$/),
    });
  });

  it("expires a backup from every location, and keeps it while a copy location cannot be reached", async () => {
    const s3 = await startS3Storage();
    servers.push(s3);
    const offsite = await addLocation("Retention S3", s3);
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "retained");
    await putOverride(t.db, owner, environment.id, { copies: [offsite.id] });
    const copied = async () => {
      const backup = await backupNow(environment.id);
      await until("the second copy", () => getBackup(t.db, owner, backup.id), (b) => b.copies[0]?.status === "completed");
      return backup;
    };
    const old = await copied();
    const unreachable = await copied();
    await copied(); // the newest, which retention always keeps
    const past = new Date(Date.now() - 60_000);
    await t.db.update(backups).set({ expiresAt: past }).where(eq(backups.id, old.id));

    expect(await runRetentionPass(t.db, plugins)).toMatchObject({ expired: 1, failed: 0 });
    expect((await getBackup(t.db, owner, old.id)).status).toBe("expired");
    expect(await storedObjects(offsite.id, old)).toEqual([]);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(old.id))).toEqual([]);
    expect(await t.db.select().from(backupCopies).where(eq(backupCopies.backupId, old.id))).toEqual([]);

    // The copy location's server is gone: the backup stays completed, its files everywhere, and the problem is recorded.
    await t.db.update(backups).set({ expiresAt: past }).where(eq(backups.id, unreachable.id));
    servers.splice(servers.indexOf(s3), 1);
    await s3.stop();
    expect(await runRetentionPass(t.db, plugins)).toMatchObject({ expired: 0, failed: 1 });
    expect((await getBackup(t.db, owner, unreachable.id)).copies).toMatchObject([{ name: "Retention S3", status: "completed" }]);
    expect((await getBackup(t.db, owner, unreachable.id)).status).toBe("completed");
    expect(listFiles(setup.storageDir).filter((f) => f.includes(unreachable.id))).toHaveLength(2);
    const [problem] = await t.db.select().from(activityLog).where(eq(activityLog.targetId, unreachable.id)).orderBy(desc(activityLog.createdAt)).limit(1);
    expect(problem).toMatchObject({ action: "backup.expire", outcome: "failure", message: expect.stringMatching(/^Retention could not remove files from its second copy's location "Retention S3": .+ Its backups are kept and tried again on the next pass\.$/) });
  });
});
