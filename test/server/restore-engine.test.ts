import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupArtifacts } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup, listBackups } from "@/server/services/backups";
import { createApiToken } from "@/server/services/api-tokens";
import { addErasureSubject, removeErasureSubject } from "@/server/services/erasure";
import { createRestore, discardPreviousCopy, getRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { odooTableChecksums } from "../helpers/odoo-fixture";
import { rest } from "../helpers/rest";
import { configParameter, createOdooClient, createOdooEnvironment, databaseExists, databasesLike, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let environment: Awaited<ReturnType<typeof createOdooEnvironment>>;
let backupId: string;
let original: Awaited<ReturnType<typeof odooState>>;
const plugins = builtinPluginHost();

async function backupNow(environmentId: string) {
  const created = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "monthly" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

async function restoreAsNew(name: string, options: { neutralize?: boolean } = {}) {
  const restore = await createRestore(t.db, plugins, owner, {
    backupId,
    target: "new_environment",
    newEnvironment: { projectId: setup.project.id, name, stage: "staging", serverId: setup.server.id, sourceConfig: { database: `${client.database}_${name}` } },
    safetyBackup: true,
    includeFilestore: true,
    neutralize: options.neutralize ?? false,
    confirm: "RESTORE",
  });
  const done = await waitForRestore(t.db, owner, restore.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed" });
  return { restore: done, database: `${client.database}_${name}` };
}

async function query<T>(database: string, text: string): Promise<T[]> {
  const sql = postgres(client.url(database), { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Restores"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  environment = await createOdooEnvironment(t.db, plugins, owner, setup, client);
  worker = await startTestWorker(t);
  original = await odooState(client);
  backupId = (await backupNow(environment.id)).id;
});

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
});

describe("restoring an Odoo backup on this host", () => {
  it("records Odoo's own manifest fields with the backup", async () => {
    const backup = await getBackup(t.db, owner, backupId);
    expect(backup.artifacts.map((a) => a.kind).sort()).toEqual(["database", "filestore", "manifest"]);
    expect(backup.sourceMeta).toMatchObject({ odoo_dump: "1", db_name: client.database, version: expect.stringMatching(/^\d+\.\d+$/), modules: expect.objectContaining({ base: expect.any(String) }) });
  });

  it("restores as a new environment: identical tables and files, and its own identity", async () => {
    const { restore, database } = await restoreAsNew("copy");
    const copy = await odooState(client, database);
    expect(copy.files).toEqual(original.files);
    const { ir_config_parameter: configCopy, ...tablesCopy } = copy.tables;
    const { ir_config_parameter: configOriginal, ...tablesOriginal } = original.tables;
    expect(tablesCopy).toEqual(tablesOriginal);
    expect(configCopy!.count).toBe(configOriginal!.count);
    expect(await configParameter(client.url(database), "database.uuid")).not.toBe(await configParameter(client.url(), "database.uuid"));
    expect(await configParameter(client.url(database), "database.secret")).not.toBe(await configParameter(client.url(), "database.secret"));
    expect(restore).toMatchObject({ target: "new_environment", safetyBackupId: null, previousCopy: null, report: { identityRegenerated: true } });
    // The original is untouched.
    expect(await odooState(client)).toEqual(original);
  });

  it("neutralizes a copy on request, and leaves a copy alone without it", async () => {
    const { database: neutralized } = await restoreAsNew("neutral", { neutralize: true });
    expect(await query(neutralized, "select name from ir_mail_server where active")).toEqual([{ name: "neutralization - disable emails" }]);
    const crons = await query<{ id: number }>(neutralized, "select c.id from ir_cron c where c.active");
    const [autovacuum] = await query<{ res_id: number }>(neutralized, "select res_id from ir_model_data where module = 'base' and name = 'autovacuum_job'");
    expect(crons.map((c) => c.id)).toEqual([autovacuum!.res_id]);
    expect(await query(neutralized, "select id from payment_provider where state not in ('test', 'disabled')")).toEqual([]);
    expect(await configParameter(client.url(neutralized), "database.is_neutralized")).toBe("true");

    const { database: plain } = await restoreAsNew("plain");
    const active = await query<{ n: number }>(plain, "select count(*)::int as n from ir_mail_server where active");
    const activeOriginal = await query<{ n: number }>(client.database, "select count(*)::int as n from ir_mail_server where active");
    expect(active).toEqual(activeOriginal);
    expect(await query(plain, "select id from payment_provider where state = 'enabled'")).not.toEqual([]);
    expect(await configParameter(client.url(plain), "database.is_neutralized")).toBeNull();
  });

  it("anonymises again a data subject erased after the backup was taken", async () => {
    const [person] = await query<{ email: string }>(client.database, "select email from res_partner where email is not null order by id limit 1");
    const erased = await addErasureSubject(t.db, owner, { projectId: setup.project.id, subject: person!.email.toUpperCase(), note: "GDPR request #12" });
    const { restore, database } = await restoreAsNew("erased");
    expect(await query(database, `select id from res_partner where lower(email) = lower('${person!.email}')`)).toEqual([]);
    expect(restore.report!.erasedRecords).toBeGreaterThan(0);
    expect(restore.log.map((l) => l.message).join("\n")).toMatch(/Erasure rules: [1-9]\d* record\(s\) of 1 erased data subject/);
    // Later tests compare restores of the original with the backup, so the subject leaves the list again.
    await removeErasureSubject(t.db, owner, erased.id);
  });

  it("restores into the original after a safety backup, and keeps the old copy until it is discarded", async () => {
    const sql = postgres(client.url(), { max: 1, onnotice: () => {} });
    await sql`insert into res_partner (name, email) values ('Added after the backup', 'late@example.test')`;
    await sql.end();
    fs.writeFileSync(path.join(client.filestore(), "late-file"), "written after the backup");
    const changed = await odooState(client);

    const restore = await createRestore(t.db, plugins, owner, { backupId, target: "original", safetyBackup: true, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", target: "original", report: { identityRegenerated: false } });

    const safety = await getBackup(t.db, owner, done.safetyBackupId!);
    expect(safety).toMatchObject({ type: "pre_restore", status: "completed", verified: true, environmentId: environment.id });
    expect(new Date(safety.finishedAt!).getTime()).toBeLessThanOrEqual(new Date(done.swappedAt!).getTime());

    const now = await odooState(client);
    expect(now.files).toEqual(original.files);
    expect(now.tables).toEqual(original.tables);

    expect(done.previousCopy!.description).toMatch(/_before_/);
    const kept = await databasesLike(`${client.database}_before_`);
    expect(kept).toHaveLength(1);
    expect(await odooTableChecksums(client.url(kept[0]))).toEqual(changed.tables);
    const keptFolder = fs.readdirSync(path.dirname(client.filestore())).find((f) => f.startsWith(`${client.database}.before-`));
    expect(keptFolder).toBeDefined();
    expect(fs.readFileSync(path.join(path.dirname(client.filestore()), keptFolder!, "late-file"), "utf8")).toBe("written after the backup");

    const discarded = await discardPreviousCopy(t.db, plugins, owner, done.id);
    expect(discarded.previousCopy!.discardedAt).not.toBeNull();
    expect(await databaseExists(kept[0]!)).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(client.filestore()), keptFolder!))).toBe(false);
    await expect(discardPreviousCopy(t.db, plugins, owner, done.id)).rejects.toThrow("no kept copy");
  });

  it("fails on a damaged artifact and leaves the target exactly as it was", async () => {
    const backup = await backupNow(environment.id);
    const before = await odooState(client);
    // The filestore is loaded after the database: both staged copies must go.
    const [stored] = await t.db.select().from(backupArtifacts).where(and(eq(backupArtifacts.backupId, backup.id), eq(backupArtifacts.kind, "filestore")));
    const file = path.join(setup.storageDir, stored!.key);
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 64; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xff;
    fs.writeFileSync(file, bytes);

    const restore = await createRestore(t.db, plugins, owner, { backupId: backup.id, target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/damaged/);
    expect(done.swappedAt).toBeNull();
    expect(await odooState(client)).toEqual(before);
    expect(await databasesLike(`${client.database}_restore_`)).toEqual([]);
    expect(fs.readdirSync(path.dirname(client.filestore())).filter((f) => f.includes(".restore-"))).toEqual([]);
  });

  it("runs a backup requested during a restore only after the restore has ended", async () => {
    const restore = await createRestore(t.db, plugins, owner, { backupId, target: "original", safetyBackup: true, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    const backup = await createBackup(t.db, owner, { environmentId: environment.id, name: "during restore", notes: "", includeFilestore: true, retention: "daily" });
    expect(backup.queuePosition).toBeGreaterThanOrEqual(1);
    const seen = new Set<string>();
    for (;;) {
      const [r, b] = await Promise.all([getRestore(t.db, owner, restore.id), getBackup(t.db, owner, backup.id)]);
      if (r.status === "in_progress" || r.status === "pending") expect(b.status).toBe("pending");
      seen.add(r.status);
      if (r.status === "completed" || r.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const restored = await getRestore(t.db, owner, restore.id);
    expect(restored.status).toBe("completed");
    const done = await waitForBackup(t.db, owner, backup.id);
    expect(done.status).toBe("completed");
    expect(new Date(done.startedAt!).getTime()).toBeGreaterThanOrEqual(new Date(restored.finishedAt!).getTime());
    const page = await listBackups(t.db, owner, { limit: 50, environmentId: environment.id, type: "pre_restore" });
    expect(page.items.length).toBeGreaterThanOrEqual(2);
  });

  it("refuses a request without the typed confirmation, or into an incompatible environment", async () => {
    const token = (await createApiToken(t.db, owner, { name: "restores" })).token;
    const unconfirmed = await rest("POST", `/backups/${backupId}/restores`, { token, body: { target: "original", confirm: "restore" } });
    expect(unconfirmed).toMatchObject({ status: 422, body: { error: { code: "unprocessable_content", fields: { confirm: expect.stringContaining("Type RESTORE") } } } });
    const other = await createPostgresEnvironment(t.db, plugins, owner, setup, { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database }, "plain postgres");
    const incompatible = await rest("POST", `/backups/${backupId}/restores`, { token, body: { target: "environment", environmentId: other.id, confirm: "RESTORE" } });
    expect(incompatible).toMatchObject({ status: 422, body: { error: { message: expect.stringContaining("can only be restored into an environment using the odoo source") } } });
    const accepted = await rest("POST", `/backups/${backupId}/restores`, { token, body: { target: "new_environment", newEnvironment: { projectId: setup.project.id, name: "via REST", stage: "test", serverId: setup.server.id, sourceConfig: { database: `${client.database}_rest` } }, confirm: "RESTORE" } });
    expect(accepted).toMatchObject({ status: 202, body: { status: "pending", target: "new_environment", safetyBackup: false } });
    const id = (accepted.body as { id: string }).id;
    await waitForRestore(t.db, owner, id);
    const fetched = await rest("GET", `/restores/${id}`, { token });
    expect(fetched).toMatchObject({ status: 200, body: { id, status: "completed", targetEnvironmentId: expect.any(String), error: null } });
  });
});
