import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog, backups } from "@/server/db/schema";
import { createApiToken } from "@/server/services/api-tokens";
import { getBackup } from "@/server/services/backups";
import { createProject } from "@/server/services/projects";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

/**
 * Where a restore may go without more words, and where it needs them: RESTORE only where data is replaced, and a
 * confirmation naming both clients when the target is another client's project. No worker runs: each accepted
 * restore stays queued, which is all these rules are about.
 */
const plugins = builtinPluginHost();
const unreachable = { host: "127.0.0.1", port: 1, user: "u", password: "p" };

let t: TestDatabase;
let owner: Principal;
let token: string;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let globex: { id: string; name: string };
let acmeProduction: { id: string };
let acmeStaging: { id: string };
let globexProduction: { id: string };
let backupId: string;
let failedBackupId: string;

async function insertBackup(status: "completed" | "failed") {
  const [row] = await t.db
    .insert(backups)
    .values({
      orgId: owner.orgId,
      projectId: setup.project.id,
      environmentId: acmeProduction.id,
      storageLocationId: setup.storage.id,
      type: "manual",
      status,
      retentionClass: "monthly",
      expiresAt: new Date(Date.now() + 365 * 86_400_000),
      verified: status === "completed",
      error: status === "failed" ? "connection refused" : null,
      finishedAt: new Date(),
    })
    .returning({ id: backups.id });
  return row!.id;
}

const base = { safetyBackup: false, includeFilestore: false, neutralize: false } as const;

beforeAll(async () => {
  t = await createTestDatabase();
  // The in-process REST handler opens the database named here.
  process.env.DATABASE_URL = t.url;
  owner = (await createOrgWithMembers(t.db, "Restore targets")).principals.owner;
  token = (await createApiToken(t.db, owner, { name: "targets" })).token;
  setup = await createBackupSetup(t.db, plugins, owner);
  globex = await createProject(t.db, owner, { name: "Globex", description: "" });
  acmeProduction = await createPostgresEnvironment(t.db, plugins, owner, setup, { ...unreachable, database: "acme" }, "production");
  acmeStaging = await createPostgresEnvironment(t.db, plugins, owner, setup, { ...unreachable, database: "acme_staging" }, "staging");
  globexProduction = await createPostgresEnvironment(t.db, plugins, owner, { project: globex, server: setup.server }, { ...unreachable, database: "globex" }, "production");
  backupId = await insertBackup("completed");
  failedBackupId = await insertBackup("failed");
});

afterAll(async () => {
  await t?.drop();
});

describe("restore targets", () => {
  it("restores into a new environment of the backup's own client without RESTORE", async () => {
    const restore = await createRestore(t.db, plugins, owner, {
      ...base,
      backupId,
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "copy without confirm", stage: "staging", serverId: setup.server.id, sourceConfig: { database: "acme_copy_1" } },
    });
    expect(restore).toMatchObject({ status: "pending", target: "new_environment", targetEnvironmentName: "copy without confirm" });
    // An older client that types RESTORE anyway is still accepted.
    const typed = await createRestore(t.db, plugins, owner, {
      ...base,
      backupId,
      target: "new_environment",
      confirm: "RESTORE",
      newEnvironment: { projectId: setup.project.id, name: "copy with confirm", stage: "staging", serverId: setup.server.id, sourceConfig: { database: "acme_copy_2" } },
    });
    expect(typed.status).toBe("pending");
  });

  it("still asks for RESTORE where an existing environment's data is replaced", async () => {
    await expect(createRestore(t.db, plugins, owner, { ...base, backupId, target: "original" })).rejects.toMatchObject({ code: "validation", fields: { confirm: "Type RESTORE to confirm" } });
    await expect(createRestore(t.db, plugins, owner, { ...base, backupId, target: "environment", environmentId: acmeStaging.id, confirm: "restore" })).rejects.toMatchObject({ fields: { confirm: expect.any(String) } });
    const restore = await createRestore(t.db, plugins, owner, { ...base, backupId, target: "environment", environmentId: acmeStaging.id, confirm: "RESTORE" });
    expect(restore).toMatchObject({ status: "pending", targetEnvironmentId: acmeStaging.id });
  });

  it("refuses another client's project as the target until the cross-client restore is confirmed, naming both clients", async () => {
    const intoNew = { ...base, backupId, target: "new_environment" as const, newEnvironment: { projectId: globex.id, name: "acme data", stage: "staging" as const, serverId: setup.server.id, sourceConfig: { database: "acme_in_globex" } } };
    const refused = createRestore(t.db, plugins, owner, intoNew);
    await expect(refused).rejects.toMatchObject({ code: "validation", fields: { crossClientConfirmed: `Confirm: Restore ${setup.project.name}'s data into Globex's project` } });
    await expect(refused).rejects.toThrow(`This backup holds ${setup.project.name}'s data and Globex is another client`);
    await expect(createRestore(t.db, plugins, owner, { ...base, backupId, target: "environment", environmentId: globexProduction.id, confirm: "RESTORE" })).rejects.toMatchObject({ fields: { crossClientConfirmed: expect.stringContaining("into Globex's project") } });

    const confirmed = await createRestore(t.db, plugins, owner, { ...intoNew, crossClientConfirmed: true });
    expect(confirmed).toMatchObject({ status: "pending", targetProjectId: globex.id });
    const [logged] = await t.db.select({ message: activityLog.message }).from(activityLog).where(and(eq(activityLog.targetId, confirmed.targetEnvironmentId!), eq(activityLog.action, "restore.create")));
    expect(logged?.message).toContain(`${setup.project.name}'s data into Globex's project`);
    // Into an existing environment of another client: both confirmations.
    const replaced = await createRestore(t.db, plugins, owner, { ...base, backupId, target: "environment", environmentId: globexProduction.id, confirm: "RESTORE", crossClientConfirmed: true });
    expect(replaced).toMatchObject({ status: "pending", targetEnvironmentId: globexProduction.id });
  });

  it("says the same over REST: 422 with the field, accepted once confirmed", async () => {
    const body = { target: "new_environment", newEnvironment: { projectId: globex.id, name: "over rest", stage: "staging", serverId: setup.server.id, sourceConfig: { database: "acme_rest_globex" } } };
    const refused = await rest("POST", `/backups/${backupId}/restores`, { token, body });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: "unprocessable_content", message: expect.stringContaining("crossClientConfirmed: true"), fields: { crossClientConfirmed: expect.stringContaining("Globex") } } } });
    const accepted = await rest("POST", `/backups/${backupId}/restores`, { token, body: { ...body, crossClientConfirmed: true } });
    expect(accepted).toMatchObject({ status: 202, body: { status: "pending", target: "new_environment" } });
  });

  it("reports every error of a new environment at once: its taken name and its settings", async () => {
    const refused = createRestore(t.db, plugins, owner, {
      ...base,
      backupId,
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "staging", stage: "staging", serverId: setup.server.id, sourceConfig: { database: "acme_staging" } },
    });
    await expect(refused).rejects.toMatchObject({ fields: { "newEnvironment.name": "Already taken in this project", "newEnvironment.sourceConfig.database": expect.stringContaining("Already used by") } });
  });

  it("shows no keep-until for a backup that failed", async () => {
    expect((await getBackup(t.db, owner, failedBackupId)).expiresAt).toBeNull();
    expect((await getBackup(t.db, owner, backupId)).expiresAt).toEqual(expect.any(String));
  });
});
