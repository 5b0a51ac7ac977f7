import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog, backups, destructions, environments, storageLocations } from "@/server/db/schema";
import { currentRunnerId } from "@/server/jobs/worker-presence";
import { reapStaleDestructions } from "@/server/lifecycle/reap-stale";
import { runBackup } from "@/server/backups/run-backup";
import { createBackup, insertPendingBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { getDestruction } from "@/server/services/destructions";
import { getEnvironment, listEnvironments } from "@/server/services/environments";
import { getProject, listProjects } from "@/server/services/projects";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, listFiles, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, databaseExists, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let members: Record<"owner" | "admin" | "operator" | "viewer", Principal>;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
const clients: OdooClient[] = [];
const plugins = builtinPluginHost();

async function odooClient() {
  const client = await createOdooClient();
  clients.push(client);
  return client;
}

async function waitForDestruction(id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await getDestruction(t.db, members.owner, id);
    if (d.status === "completed" || d.status === "failed") return d;
    if (Date.now() > deadline) throw new Error(`destroy ${id} still ${d.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function activities(action: string) {
  return t.db.select().from(activityLog).where(eq(activityLog.action, action));
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: members } = await createOrgWithMembers(t.db, "Lifecycle Agency"));
  setup = await createBackupSetup(t.db, plugins, members.owner);
  worker = await startTestWorker(t);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  for (const client of clients) await client.drop();
  await t?.drop();
});

describe("destroy → archive → restore the final backup → purge", () => {
  it("takes a verified final backup, drops the database and filestore, archives; the backup restores into a new environment, and only purge removes it", async () => {
    const client = await odooClient();
    const original = await odooState(client);
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "leaving");
    const admin = callerFor(t.db, plugins, members.admin);

    // Operators never destroy; the name must be typed.
    await expect(callerFor(t.db, plugins, members.operator).lifecycle.destroyEnvironment({ id: env.id, confirm: "leaving", keepBackups: "1_year" })).rejects.toThrow(/needs admin/);
    await expect(admin.lifecycle.destroyEnvironment({ id: env.id, confirm: "Leaving", keepBackups: "1_year" })).rejects.toThrow(/Type the environment's name, "leaving"/);

    const requested = await admin.lifecycle.destroyEnvironment({ id: env.id, confirm: "leaving", keepBackups: "1_year" });
    expect(requested.status).toBe("pending");
    const done = await waitForDestruction(requested.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", removed: [`database "${client.database}"`, `filestore ${client.filestore()}`] });

    // Gone from the server; the final backup is completed, verified and in storage.
    expect(await databaseExists(client.database)).toBe(false);
    expect(fs.existsSync(client.filestore())).toBe(false);
    const final = await getBackup(t.db, members.owner, done.backupId!);
    expect(final).toMatchObject({ type: "pre_destroy", status: "completed", verified: true });
    expect(final.application).toMatchObject({ name: "Odoo", major: "17" });
    const stored = listFiles(setup.storageDir).filter((f) => f.includes(final.id));
    expect(stored.length).toBeGreaterThanOrEqual(3);

    // Archived: out of the active list, kept for a year, never backed up again.
    const archived = await getEnvironment(t.db, plugins, members.owner, env.id);
    expect(archived.archivedAt).not.toBeNull();
    expect(archived.keepBackups).toBe("1_year");
    expect(new Date(archived.keepBackupsUntil!).getTime() - Date.now()).toBeGreaterThan(364 * 86_400_000);
    expect((await listEnvironments(t.db, plugins, members.owner, { limit: 50 })).items.map((e) => e.id)).not.toContain(env.id);
    expect((await listEnvironments(t.db, plugins, members.owner, { limit: 50, view: "archived" })).items.map((e) => e.id)).toContain(env.id);
    await expect(createBackup(t.db, members.owner, { environmentId: env.id, name: "", notes: "", retention: "daily" })).rejects.toThrow(/archived/);
    await expect(admin.lifecycle.destroyEnvironment({ id: env.id, confirm: "leaving", keepBackups: "1_year" })).rejects.toThrow(/already archived/);

    // The final backup restores into a new environment under the same database name (the destroyed one's is free again).
    const restore = await createRestore(t.db, plugins, members.owner, {
      backupId: final.id,
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "back again", stage: "production", serverId: setup.server.id, sourceConfig: {} },
      safetyBackup: false,
      includeFilestore: true,
      neutralize: false,
      confirm: "RESTORE",
    });
    const restored = await waitForRestore(t.db, members.owner, restore.id);
    expect(restored, restored.error ?? "").toMatchObject({ status: "completed" });
    // Every table and file as it was, but the identity a new environment's restore gives a copy (database.uuid, secret).
    const back = await odooState(client);
    expect(back.files).toEqual(original.files);
    const { ir_config_parameter: identity, ...tables } = back.tables;
    const { ir_config_parameter: originalIdentity, ...originalTables } = original.tables;
    expect(tables).toEqual(originalTables);
    expect(identity!.count).toBe(originalIdentity!.count);

    // Purge: admins only, typed; the backup's files leave storage, then the rows.
    await expect(callerFor(t.db, plugins, members.operator).lifecycle.purgeEnvironment({ id: env.id, confirm: "leaving" })).rejects.toThrow(/needs admin/);
    await expect(admin.lifecycle.purgeEnvironment({ id: restored.targetEnvironmentId!, confirm: "back again" })).rejects.toThrow(/not archived/);
    await admin.lifecycle.purgeEnvironment({ id: env.id, confirm: "leaving" });
    expect(listFiles(setup.storageDir).filter((f) => f.includes(final.id))).toEqual([]);
    expect(await t.db.select().from(backups).where(eq(backups.environmentId, env.id))).toEqual([]);
    expect(await t.db.select().from(environments).where(eq(environments.id, env.id))).toEqual([]);
    expect((await activities("environment.destroy")).map((a) => a.outcome)).toContain("success");
    expect(await activities("environment.purge")).toHaveLength(1);
  });

  it("removes nothing when the final backup fails", async () => {
    const client = await odooClient();
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "kept safe");
    // The storage folder becomes a file: the final backup cannot be written.
    const broken = path.join(setup.storageDir, "..", `${path.basename(setup.storageDir)}-broken`);
    fs.writeFileSync(broken, "not a folder");
    await t.db.update(storageLocations).set({ config: { path: broken } }).where(eq(storageLocations.id, setup.storage.id));
    try {
      const requested = await callerFor(t.db, plugins, members.admin).lifecycle.destroyEnvironment({ id: env.id, confirm: "kept safe", keepBackups: "90_days" });
      const done = await waitForDestruction(requested.id);
      expect(done).toMatchObject({ status: "failed", removed: [] });
      expect(done.error).toMatch(/^The final backup did not complete .*: nothing was removed$/);
    } finally {
      await t.db.update(storageLocations).set({ config: { path: setup.storageDir } }).where(eq(storageLocations.id, setup.storage.id));
      fs.rmSync(broken, { force: true });
    }
    expect(await databaseExists(client.database)).toBe(true);
    expect(fs.existsSync(client.filestore())).toBe(true);
    expect((await getEnvironment(t.db, plugins, members.owner, env.id)).archivedAt).toBeNull();
  });
});

describe("offboarding a client", () => {
  it("destroys every environment of the project, then archives the project; purge removes it all", async () => {
    const project = await callerFor(t.db, plugins, members.owner).projects.create({ name: "Departing client" });
    const target = { project, server: setup.server };
    const [a, b] = [await odooClient(), await odooClient()];
    await createOdooEnvironment(t.db, plugins, members.owner, target, a, "production");
    await createOdooEnvironment(t.db, plugins, members.owner, target, b, "staging");
    const admin = callerFor(t.db, plugins, members.admin);
    await expect(callerFor(t.db, plugins, members.operator).lifecycle.offboardProject({ id: project.id, confirm: "Departing client", keepBackups: "permanent" })).rejects.toThrow(/needs admin/);

    const { items } = await admin.lifecycle.offboardProject({ id: project.id, confirm: "Departing client", keepBackups: "permanent" });
    expect(items).toHaveLength(2);
    for (const d of items) expect(await waitForDestruction(d.id), d.label).toMatchObject({ status: "completed" });
    for (const client of [a, b]) expect(await databaseExists(client.database)).toBe(false);

    const archived = await getProject(t.db, members.owner, project.id);
    expect(archived).toMatchObject({ environmentCount: 0 });
    expect(archived.archivedAt).not.toBeNull();
    expect((await listProjects(t.db, members.owner, { limit: 50 })).items.map((p) => p.id)).not.toContain(project.id);
    expect((await listProjects(t.db, members.owner, { limit: 50, view: "archived" })).items.map((p) => p.id)).toEqual([project.id]);
    expect(await activities("project.offboard")).toHaveLength(1);

    const finals = items.map((d) => d.backupId!);
    await admin.lifecycle.purgeProject({ id: project.id, confirm: "Departing client" });
    for (const id of finals) expect(listFiles(setup.storageDir).filter((f) => f.includes(id))).toEqual([]);
    await expect(getProject(t.db, members.owner, project.id)).rejects.toThrow(/not found/i);
  });
});

describe("pre-upgrade backups, pins, names and notes", () => {
  it("holds a pre-upgrade backup until an operator releases it; pins, renames and notes are logged", async () => {
    const client = await odooClient();
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "upgrading");
    const operator = callerFor(t.db, plugins, members.operator);
    const created = await operator.backups.create({ environmentId: env.id, type: "pre_upgrade", name: "Before 18.0", notes: "", retention: "daily" });
    const done = await waitForBackup(t.db, members.owner, created.id);
    expect(done).toMatchObject({ type: "pre_upgrade", status: "completed", verified: true, held: true, pinned: false });
    expect((await getBackup(t.db, members.owner, created.id)).application).toMatchObject({ name: "Odoo", version: expect.stringMatching(/^17\./) });

    await expect(callerFor(t.db, plugins, members.viewer).backups.release({ id: created.id })).rejects.toThrow(/needs operator/);
    expect(await operator.backups.release({ id: created.id })).toMatchObject({ held: false });
    await expect(operator.backups.release({ id: created.id })).rejects.toThrow(/not held/);

    expect(await operator.backups.update({ id: created.id, pinned: true, name: "Before the 18.0 upgrade", notes: "Keep until the client signs off" })).toMatchObject({
      pinned: true,
      name: "Before the 18.0 upgrade",
      notes: "Keep until the client signs off",
    });
    const [update] = await activities("backup.update");
    expect(update!.message).toBe('renamed "Before the 18.0 upgrade"; notes edited; pinned: kept whatever retention says');
    expect(await activities("backup.release")).toHaveLength(1);
  });
});

describe("restores across application versions", () => {
  it("refuses another major version naming both, falls back on the target's latest backup when its server cannot tell, and lets an owner override by typing the versions", async () => {
    const [client, other] = [await odooClient(), await odooClient()];
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "upgraded");
    const otherEnv = await createOdooEnvironment(t.db, plugins, members.owner, setup, other, "unreachable");
    const backupOf = async (environmentId: string) => {
      const created = await createBackup(t.db, members.owner, { environmentId, name: "", notes: "", includeFilestore: false, retention: "daily" });
      const done = await waitForBackup(t.db, members.owner, created.id);
      expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
      return done;
    };
    // A backup from before the upgrade: recorded at Odoo 16.0, while the environment now runs 17.0.
    const old = await backupOf(env.id);
    await t.db.update(backups).set({ application: { name: "Odoo", version: "16.0", major: "16" } }).where(eq(backups.id, old.id));
    const restore = (principal: Principal, target: { target: "original" } | { target: "environment"; environmentId: string }, confirmVersions?: string) =>
      callerFor(t.db, plugins, principal).restores.create({ backupId: old.id, ...target, safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE", confirmVersions });

    await expect(restore(members.admin, { target: "original" })).rejects.toThrow(
      'This backup was taken at Odoo 16.0, but "upgraded" runs Odoo 17.0 (read from its server): a restore across major versions is refused. An owner may override it by typing "16.0 to 17.0"',
    );
    await expect(restore(members.admin, { target: "original" }, "16.0 to 17.0")).rejects.toThrow(/only an owner may restore across major versions/);
    await expect(restore(members.owner, { target: "original" }, "16 to 17")).rejects.toThrow('Type "16.0 to 17.0" to restore across major versions');

    // Its database gone, the other environment's server cannot say what it runs: its latest backup does.
    await backupOf(otherEnv.id);
    await t.db.execute(sql.raw(`alter database "${other.database}" rename to "${other.database}_away"`));
    try {
      await expect(restore(members.owner, { target: "environment", environmentId: otherEnv.id })).rejects.toThrow(/runs Odoo 17\.0 \(read from its latest backup \(\d{4}-\d{2}-\d{2}\)\)/);
    } finally {
      await t.db.execute(sql.raw(`alter database "${other.database}_away" rename to "${other.database}"`));
    }

    const accepted = await restore(members.owner, { target: "original" }, "16.0 to 17.0");
    const done = await waitForRestore(t.db, members.owner, accepted.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    const [logged] = (await activities("restore.create")).filter((a) => a.targetId === env.id);
    expect(logged!.message).toContain("restored across major versions (16.0 to 17.0), confirmed by an owner");
  });
});

describe("a destroy whose worker died", () => {
  it("is failed by the stale-run reaper, freeing the environment to be destroyed again; a live worker's is left alone", async () => {
    const client = await odooClient();
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "orphaned");
    const base = { orgId: members.owner.orgId, environmentId: env.id, projectId: setup.project.id, label: "orphaned", keepBackups: "90_days" as const };
    const [dead] = await t.db.insert(destructions).values({ ...base, status: "destroying", runnerId: "worker-long-gone" }).returning();
    const [alive] = await t.db.insert(destructions).values({ ...base, status: "backing_up", runnerId: currentRunnerId() }).returning();

    const reaped = await reapStaleDestructions(t.db);
    expect(reaped).toEqual({ reaped: [dead!.id], runnerAlive: [alive!.id] });
    expect(await getDestruction(t.db, members.owner, dead!.id)).toMatchObject({
      status: "failed",
      error: "The worker running this destroy stopped while removing the environment's data: its final backup is kept; destroy it again to finish",
    });
    await t.db.update(destructions).set({ status: "failed" }).where(eq(destructions.id, alive!.id));
    const again = await callerFor(t.db, plugins, members.admin).lifecycle.destroyEnvironment({ id: env.id, confirm: "orphaned", keepBackups: "90_days" });
    expect(await waitForDestruction(again.id)).toMatchObject({ status: "completed" });
  });
});

describe("a backup queued before its environment was destroyed", () => {
  it("fails saying so, without touching the server", async () => {
    const client = await odooClient();
    const env = await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "queued before destroy");
    const id = await insertPendingBackup(t.db, members.owner.orgId, {
      environment: { id: env.id, projectId: setup.project.id },
      storageLocationId: setup.storage.id,
      type: "scheduled",
      name: "",
      notes: "",
      requestedBy: null,
      retention: "daily",
      includeFilestore: true,
    });
    await t.db.update(environments).set({ archivedAt: new Date(), keepBackups: "90_days" }).where(eq(environments.id, env.id));
    await runBackup(t.db, plugins, id, new AbortController().signal);
    expect(await getBackup(t.db, members.owner, id)).toMatchObject({ status: "failed", failureKind: "precondition", error: "The environment was destroyed and archived: it is not backed up any more" });
  });
});
