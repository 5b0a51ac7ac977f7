import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createRestore } from "@/server/services/restores";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { filestoreChecksums, odooTableChecksums } from "../helpers/odoo-fixture";
import { configParameter, createOdooClient, odooSourceConfig, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";

let hostA: Sshd | undefined;
let hostB: Sshd | undefined;
let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let client: OdooClient;
let original: Awaited<ReturnType<typeof odooState>>;
const plugins = builtinPluginHost();
const ids = { project: "", serverA: "", serverB: "", environment: "", backup: "" };

beforeAll(async () => {
  hostA = await startSshd({ user: "safehold-ssh-a" });
  hostB = await startSshd({ user: "safehold-ssh-b" });
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Over SSH"));
  const dataDir = makeUserDir(hostA, "odoo");
  client = await createOdooClient(dataDir);
  execFileSync("chown", ["-R", `${hostA.uid}:${hostA.gid}`, dataDir]);
  original = await odooState(client);
  ids.project = (await createProject(t.db, owner, { name: "Client over SSH", description: "" })).id;
  ids.serverA = (await createServer(t.db, plugins, owner, { name: "Host A", kind: "ssh", config: hostA.config, allowedRoots: [hostA.home] })).id;
  ids.serverB = (await createServer(t.db, plugins, owner, { name: "Host B", kind: "ssh", config: hostB.config, allowedRoots: [hostB.home] })).id;
  await createStorageLocation(t.db, plugins, owner, { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-ssh-storage-")) }, isDefault: true });
  ids.environment = (await createEnvironment(t.db, plugins, owner, { projectId: ids.project, serverId: ids.serverA, name: "production", stage: "production", source: "odoo", sourceConfig: odooSourceConfig(client) })).id;
  worker = await startTestWorker(t);
  const created = await createBackup(t.db, owner, { environmentId: ids.environment, name: "over ssh", notes: "", includeFilestore: true, retention: "monthly" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  // The dump was gzipped on the server, the filestore's files read over SSH in batches and each stored once; the
  // restores below prove both round-trip.
  const log = (await getBackup(t.db, owner, done.id)).log.map((l) => l.message);
  expect(log.filter((l) => l.includes(", compressed on the server:")).map((l) => l.split(",")[0])).toEqual(["Stored the database file"]);
  expect(log).toContainEqual(expect.stringMatching(/^Filestore: \d+ files \(.+\); \d+ new \(.+\) stored, \d+ already stored$/));
  ids.backup = done.id;
});

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
  await hostA?.stop();
  await hostB?.stop();
});

// The test sshd needs root (it creates the two SSH users) and openssh-server, which .ci/run installs.
describe("restoring an Odoo backup over SSH", () => {
  it("backs up through sshd and restores as a new environment on the same host", async () => {
    const database = `${client.database}_ssh_copy`;
    const restore = await createRestore(t.db, plugins, owner, {
      backupId: ids.backup,
      target: "new_environment",
      newEnvironment: { projectId: ids.project, name: "copy over ssh", stage: "staging", serverId: ids.serverA, sourceConfig: { database } },
      safetyBackup: true,
      includeFilestore: true,
      neutralize: false,
      confirm: "RESTORE",
    });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", targetServerName: "Host A" });
    const copy = await odooState(client, database);
    expect(copy.files).toEqual(original.files);
    const { ir_config_parameter: _c, ...tables } = copy.tables;
    const { ir_config_parameter: _o, ...originalTables } = original.tables;
    expect(tables).toEqual(originalTables);
    expect(await configParameter(client.url(database), "database.uuid")).not.toBe(await configParameter(client.url(), "database.uuid"));
    // Restored files belong to the SSH user, as Odoo would write them.
    expect(fs.statSync(client.filestore(database)).uid).toBe(hostA!.uid);
  });

  it("restores onto a different server and leaves the source environment untouched", async () => {
    const dataDirB = makeUserDir(hostB!, "odoo");
    const database = `${client.database}_host_b`;
    const restore = await createRestore(t.db, plugins, owner, {
      backupId: ids.backup,
      target: "new_environment",
      // On another server the database password is typed again: a stored secret never follows to another server.
      newEnvironment: { projectId: ids.project, name: "moved to host B", stage: "production", serverId: ids.serverB, sourceConfig: { database, dataDir: dataDirB, password: client.password } },
      safetyBackup: true,
      includeFilestore: true,
      neutralize: false,
      confirm: "RESTORE",
    });
    const done = await waitForRestore(t.db, owner, restore.id);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", targetServerName: "Host B" });
    const moved = path.join(dataDirB, "filestore", database);
    expect(filestoreChecksums(moved)).toEqual(original.files);
    expect(fs.statSync(moved).uid).toBe(hostB!.uid);
    const { ir_config_parameter: _m, ...tables } = await odooTableChecksums(client.url(database));
    const { ir_config_parameter: _o, ...originalTables } = original.tables;
    expect(tables).toEqual(originalTables);
    expect(await odooState(client)).toEqual(original);
  });
});
