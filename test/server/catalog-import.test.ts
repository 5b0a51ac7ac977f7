import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { UNTRUSTED_FOREIGN } from "@/server/catalog/trust-backup";
import { backupArtifacts, backups, environments } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { ensureOrganizationKey } from "@/server/services/organization-keys";
import { getBackup } from "@/server/services/backups";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { waitForRestore } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let admin: Principal;
let operator: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let gone: Awaited<ReturnType<typeof createClientDatabase>>;
let environmentId: string;
const plugins = builtinPluginHost();

function connect(c: typeof client) {
  return postgres({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, max: 1, onnotice: () => {} });
}

async function setRows(c: typeof client, n: number) {
  const sql = connect(c);
  await sql.unsafe(`create table if not exists items (id int primary key, body text); truncate items; insert into items select g, md5(g::text) from generate_series(1, ${n}) g`);
  await sql.end();
}

async function rows(c: typeof client): Promise<number> {
  const sql = connect(c);
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from items`;
  await sql.end();
  return row!.n;
}

async function backupOf(envId: string) {
  const created = await createBackup(t.db, owner, { environmentId: envId, name: "before the upgrade", notes: "", includeFilestore: false, retention: "daily" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

function restoreInto(backupId: string, target: "original" | "environment") {
  // A foreign backup is imported under a project of its own, so restoring it here is into another client's project.
  return createRestore(t.db, plugins, owner, { backupId, target, environmentId: target === "environment" ? environmentId : undefined, safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE", crossClientConfirmed: true });
}

/**
 * A backup another tool (or another console) wrote: a gzipped pg_dump and an unsigned manifest; with `encryptTo`,
 * the dump is encrypted by Debian's `age -r` CLI, as an agency's own script would.
 */
function writeForeignBackup(ids: { orgId: string; projectId: string; environmentId: string }, encryptTo?: string) {
  const backupId = randomUUID();
  const folder = `${ids.orgId}/${ids.projectId}/${ids.environmentId}/${backupId}/`;
  const gzipped = gzipSync(execFileSync("pg_dump", ["--format=plain", "--no-owner", "--host", client.host, "--port", String(client.port), "--username", client.user, client.database], { env: { ...process.env, PGPASSWORD: client.password } }));
  const dump = encryptTo ? execFileSync("age", ["-r", encryptTo], { input: gzipped }) : gzipped;
  const fileName = `backup-${backupId}-database.sql.gz${encryptTo ? ".age" : ""}`;
  fs.mkdirSync(path.join(setup.storageDir, folder), { recursive: true });
  fs.writeFileSync(path.join(setup.storageDir, folder, fileName), dump);
  const manifest = {
    format: "safehold-backup/1",
    backupId,
    type: "manual",
    name: "from elsewhere",
    requestedAt: new Date().toISOString(),
    organization: { id: ids.orgId, name: "Elsewhere" },
    project: { id: ids.projectId, name: "Elsewhere client" },
    environment: { id: ids.environmentId, name: "production", stage: "production" },
    source: { type: "postgres" },
    artifacts: [
      {
        kind: "database",
        key: `${folder}${fileName}`,
        size: dump.length,
        sha256: createHash("sha256").update(dump).digest("hex"),
        ...(encryptTo ? { encryption: { format: "age", recipient: encryptTo } } : {}),
      },
    ],
  };
  fs.writeFileSync(path.join(setup.storageDir, folder, `backup-${backupId}-manifest.json`), JSON.stringify(manifest, null, 2));
  return backupId;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner, admin, operator } } = await createOrgWithMembers(t.db, "Catalog"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createClientDatabase({ createdb: true });
  gone = await createClientDatabase({ createdb: true });
  await setRows(client, 1000);
  await setRows(gone, 700);
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, client)).id;
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await gone?.drop();
  await t?.drop();
});

describe("catalog import", () => {
  it("recreates the rows of backups the catalog lost, trusted and restorable, and a second import adds nothing", async () => {
    const first = await backupOf(environmentId);
    const goneEnvironment = await createPostgresEnvironment(t.db, plugins, owner, setup, gone, "staging");
    const ofGone = await backupOf(goneEnvironment.id);
    // The catalog loses both backups, and the staging environment with its own.
    await t.db.delete(backups).where(inArray(backups.id, [first.id, ofGone.id]));
    await t.db.delete(environments).where(eq(environments.id, goneEnvironment.id));

    await expect(callerFor(t.db, plugins, operator).storageLocations.catalogImport({ id: setup.storage.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const result = await callerFor(t.db, plugins, admin).storageLocations.catalogImport({ id: setup.storage.id });
    expect(result).toMatchObject({ added: 2, alreadyKnown: 0, foreign: [], skipped: [] });

    const back = await getBackup(t.db, owner, first.id);
    expect(back).toMatchObject({ status: "completed", verified: true, origin: "imported", trusted: true, environmentId, name: "before the upgrade" });
    expect(back.artifacts.map((a) => [a.kind, a.key, a.size, a.sha256])).toEqual(first.artifacts.map((a) => [a.kind, a.key, a.size, a.sha256]));

    // The staging environment's backup goes to an archived stand-in, which is never restored into.
    const stray = await getBackup(t.db, owner, ofGone.id);
    const [standIn] = await t.db.select().from(environments).where(eq(environments.id, stray.environmentId));
    expect(standIn).toMatchObject({ name: "staging", projectId: setup.project.id });
    expect(standIn!.archivedAt).toBeInstanceOf(Date);
    await expect(restoreInto(ofGone.id, "original")).rejects.toThrow(/This environment is archived/);

    await setRows(client, 5);
    const restored = await waitForRestore(t.db, owner, (await restoreInto(first.id, "original")).id);
    expect(restored, restored.error ?? "").toMatchObject({ status: "completed" });
    expect(await rows(client)).toBe(1000);
    const fromStandIn = await waitForRestore(t.db, owner, (await restoreInto(ofGone.id, "environment")).id);
    expect(fromStandIn, fromStandIn.error ?? "").toMatchObject({ status: "completed" });
    expect(await rows(client)).toBe(700);

    const again = await callerFor(t.db, plugins, admin).storageLocations.catalogImport({ id: setup.storage.id });
    expect(again).toMatchObject({ added: 0, skipped: [] });
    expect(again.alreadyKnown).toBeGreaterThanOrEqual(2);
  });

  it("lists an unsigned backup as foreign, refuses to restore it until an admin trusts it, then restores it", async () => {
    await setRows(client, 321);
    const foreignId = writeForeignBackup({ orgId: randomUUID(), projectId: randomUUID(), environmentId: randomUUID() });
    await setRows(client, 9);

    const admins = callerFor(t.db, plugins, admin);
    const result = await admins.storageLocations.catalogImport({ id: setup.storage.id });
    expect(result.added).toBe(1);
    expect(result.foreign).toEqual([expect.objectContaining({ backupId: foreignId, projectName: "Elsewhere client", environmentName: "production", reason: "not signed by this console" })]);
    expect(await getBackup(t.db, owner, foreignId)).toMatchObject({ origin: "foreign", trusted: false, verified: true });

    await expect(restoreInto(foreignId, "environment")).rejects.toThrow(UNTRUSTED_FOREIGN);
    await expect(callerFor(t.db, plugins, operator).backups.trust({ backupId: foreignId, confirm: "TRUST" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admins.backups.trust({ backupId: foreignId, confirm: "trust" })).rejects.toThrow(/Type TRUST to confirm/);
    await admins.backups.trust({ backupId: foreignId, confirm: "TRUST" });
    expect(await getBackup(t.db, owner, foreignId)).toMatchObject({ origin: "foreign", trusted: true });

    const restored = await waitForRestore(t.db, owner, (await restoreInto(foreignId, "environment")).id);
    expect(restored, restored.error ?? "").toMatchObject({ status: "completed" });
    expect(await rows(client)).toBe(321);

    const again = await admins.storageLocations.catalogImport({ id: setup.storage.id });
    expect(again).toMatchObject({ added: 0, foreign: [] });
  });

  it("restores a file the age CLI encrypted to the organization key, once trusted; one encrypted to another key fails naming it", async () => {
    const { recipient } = await ensureOrganizationKey(t.db, owner.orgId);
    const stranger = execFileSync("age-keygen", { encoding: "utf8" }).match(/public key: (age1\w+)/)![1]!;
    await setRows(client, 456);
    const encryptedId = writeForeignBackup({ orgId: randomUUID(), projectId: randomUUID(), environmentId: randomUUID() }, recipient);
    const strangersId = writeForeignBackup({ orgId: randomUUID(), projectId: randomUUID(), environmentId: randomUUID() }, stranger);
    await setRows(client, 5);

    const admins = callerFor(t.db, plugins, admin);
    const result = await admins.storageLocations.catalogImport({ id: setup.storage.id });
    expect(result.added).toBe(2);
    const [imported] = await t.db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, encryptedId));
    expect(imported).toMatchObject({ kind: "database", encryptionKeyId: expect.any(String) });
    for (const id of [encryptedId, strangersId]) await admins.backups.trust({ backupId: id, confirm: "TRUST" });

    const restored = await waitForRestore(t.db, owner, (await restoreInto(encryptedId, "environment")).id);
    expect(restored, restored.error ?? "").toMatchObject({ status: "completed" });
    expect(await rows(client)).toBe(456);

    const refused = await waitForRestore(t.db, owner, (await restoreInto(strangersId, "environment")).id);
    expect(refused).toMatchObject({ status: "failed", failureKind: "precondition" });
    expect(refused.error).toContain(`encrypted to ${stranger}, a key this console does not hold`);
    expect(await rows(client)).toBe(456);
  });
});
