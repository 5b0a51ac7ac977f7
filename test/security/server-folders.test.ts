import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { runAsAdmin } from "../helpers/database";
import { createOdooClient, databaseExists, databasesLike, type OdooClient } from "../helpers/restore-env";

/**
 * Item 4 of the trust-boundary review: an operator chose any folder (`dataDir`, `filestorePath`) or database for
 * an environment, so a backup archived whatever it named (another client's files, /root/.ssh, the console's data
 * dir) and a restore moved it aside, for "discard" to delete. Folders must resolve, on the server, inside the
 * folders an admin allowed there; databases must match the server's pattern.
 */
let c: ConsoleWithMembers;
let client: OdooClient;
const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-allowed-"));
const VICTIM_PARENT = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-victim-"));
const VICTIM = path.join(VICTIM_PARENT, "secrets");
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-folders-storage-"));
const mounts: string[] = [];
const ids = { guarded: "", permissive: "", project: "" };
const victimDatabase = `client_victim_${Math.random().toString(36).slice(2, 8)}`;


function id(answer: { body: unknown }): string {
  return (answer.body as { id: string }).id;
}

async function createEnvironment(name: string, serverId: string, sourceConfig: Record<string, unknown>) {
  return c.rest(c.members.operator, "POST", "/environments", { projectId: ids.project, name, stage: "production", serverId, source: "odoo", sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, dataDir: client.dataDir, ...sourceConfig } });
}

async function finished(kind: "backups" | "restores", runId: string) {
  for (let i = 0; i < 600; i++) {
    const { body } = await c.rest(c.members.operator, "GET", `/${kind}/${runId}`);
    const run = body as { status: string; error: string | null; artifacts?: Array<{ kind: string; key: string }> };
    if (["completed", "failed"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${kind} ${runId} did not finish`);
}

async function backup(environmentId: string) {
  return finished("backups", id(await c.rest(c.members.operator, "POST", `/environments/${environmentId}/backups`, {})));
}

function storedFilestoreEntries(run: { artifacts?: Array<{ kind: string; key: string }> }): string[] {
  const artifact = run.artifacts!.find((a) => a.kind === "filestore")!;
  return execFileSync("tar", ["-tzf", path.join(storageDir, artifact.key)], { encoding: "utf8" }).split("\n").filter(Boolean);
}

beforeAll(async () => {
  fs.mkdirSync(VICTIM);
  fs.writeFileSync(path.join(VICTIM, "id_ed25519"), "another client's private key\n");
  client = await createOdooClient(fs.mkdtempSync(path.join(ROOT, "odoo-")));
  await runAsAdmin(`create database ${victimDatabase} owner ${client.user}`);
  c = await startConsoleWithMembers();
  const a = c.members.admin;
  ids.guarded = id(await c.rest(a, "POST", "/servers", { name: "Guarded", kind: "local", config: {}, allowedRoots: [ROOT], databasePattern: `${client.database}*` }));
  ids.permissive = id(await c.rest(a, "POST", "/servers", { name: "Permissive", kind: "local", config: {}, allowedRoots: [ROOT, VICTIM_PARENT] }));
  expect((await c.rest(a, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true })).status).toBe(200);
  // The checks below list the stored filestore archive with tar: backups here are not encrypted, and keep full archives.
  const { nextRuns: _, ...policy } = (await c.rest(a, "GET", "/backup-policy")).body as { nextRuns: string[] };
  expect((await c.rest(a, "PUT", "/backup-policy", { ...policy, encrypt: false, filestoreLayout: "archive" })).status).toBe(200);
  ids.project = id(await c.rest(c.members.operator, "POST", "/projects", { name: "Client" }));
});

afterAll(async () => {
  await c?.stop();
  for (const dir of mounts) execFileSync("umount", ["-l", dir]);
  await runAsAdmin(`drop database if exists ${victimDatabase} with (force)`).catch(() => {});
  for (const name of await databasesLike(`${victimDatabase}_`)) await runAsAdmin(`drop database if exists "${name}" with (force)`);
  await client?.drop();
});

describe("folders an environment may use", () => {
  it("(weakened: the victim's folder allowed) a backup does archive whatever folder the settings name", async () => {
    const environment = await createEnvironment("allowed-victim", ids.permissive, { filestorePath: VICTIM });
    expect(environment.status).toBe(200);
    const run = await backup(id(environment));
    expect(run.status, run.error ?? "").toBe("completed");
    expect(storedFilestoreEntries(run)).toContain("./id_ed25519");
  });

  it("refuses, as the form is saved, a folder outside the server's allowed folders", async () => {
    const answer = await createEnvironment("victim", ids.guarded, { filestorePath: VICTIM });
    expect(answer).toMatchObject({ status: 422, body: { error: { fields: { "sourceConfig.filestorePath": `${VICTIM} is outside the folders allowed on server "Guarded" (${ROOT}): an admin can allow its folder in the server's settings` } } } });
    const traversal = await createEnvironment("traversal", ids.guarded, { dataDir: `${ROOT}/../${path.basename(VICTIM_PARENT)}` });
    expect(traversal.status).toBe(422);
  });

  it("follows links on the server: a filestore linked out of the allowed folders is neither archived nor replaced", async () => {
    const dataDir = fs.mkdtempSync(path.join(ROOT, "linked-"));
    fs.mkdirSync(path.join(dataDir, "filestore"));
    fs.symlinkSync(VICTIM, path.join(dataDir, "filestore", client.database));
    const environment = await createEnvironment("linked", ids.guarded, { dataDir });
    expect(environment.status).toBe(200);
    const run = await backup(id(environment));
    expect(run).toMatchObject({ status: "failed", error: `${VICTIM} is outside the folders allowed on server "Guarded" (${ROOT}): an admin can allow its folder in the server's settings` });
    expect(fs.readdirSync(storageDir, { recursive: true }).filter((f) => String(f).includes(id({ body: run })))).toEqual([]);

    // A good backup, then the link appears: the restore stops before moving anything.
    fs.rmSync(path.join(dataDir, "filestore", client.database));
    fs.cpSync(client.filestore(), path.join(dataDir, "filestore", client.database), { recursive: true });
    const good = await backup(id(environment));
    expect(good.status, good.error ?? "").toBe("completed");
    fs.rmSync(path.join(dataDir, "filestore", client.database), { recursive: true });
    fs.symlinkSync(VICTIM, path.join(dataDir, "filestore", client.database));
    const restore = await c.rest(c.members.operator, "POST", `/backups/${id({ body: good })}/restores`, { target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    expect(restore.status).toBe(202);
    expect(await finished("restores", id(restore))).toMatchObject({ status: "failed", error: expect.stringMatching(/is outside the folders allowed on server "Guarded"/) });
    expect(fs.readdirSync(VICTIM_PARENT)).toEqual(["secrets"]);
    expect(fs.readFileSync(path.join(VICTIM, "id_ed25519"), "utf8")).toBe("another client's private key\n");
  });

  it("never moves aside an allowed folder itself, nor a mount point", async () => {
    if (process.getuid?.() !== 0) throw new Error("This test mounts a tmpfs, which needs root (CI runs as root)");
    const dataDir = fs.mkdtempSync(path.join(ROOT, "mounted-"));
    const filestore = path.join(dataDir, "filestore", client.database);
    fs.mkdirSync(filestore, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", filestore]);
    mounts.push(filestore);
    fs.cpSync(client.filestore(), filestore, { recursive: true });
    const environment = await createEnvironment("mounted", ids.guarded, { dataDir });
    const good = await backup(id(environment));
    expect(good.status, good.error ?? "").toBe("completed");
    const restore = await c.rest(c.members.operator, "POST", `/backups/${id({ body: good })}/restores`, { target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    expect(await finished("restores", id(restore))).toMatchObject({ status: "failed", error: `${filestore} is a mount point on server "Guarded": a restore cannot move it aside; restore into a folder inside it instead` });
    const onRoot = await createEnvironment("on-root", ids.guarded, { filestorePath: ROOT });
    const rootBackup = await backup(id(onRoot));
    const rootRestore = await c.rest(c.members.operator, "POST", `/backups/${id({ body: rootBackup })}/restores`, { target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    expect(await finished("restores", id(rootRestore))).toMatchObject({ status: "failed", error: `${ROOT} is an allowed folder itself: a restore moves aside and removes only folders inside it` });
    expect(fs.existsSync(ROOT)).toBe(true);
  });

  it("refuses system folders as allowed folders", async () => {
    for (const root of ["/", "/etc/odoo", "/root", "/var", "/home", "/usr/lib/odoo"]) {
      const answer = await c.rest(c.members.admin, "POST", "/servers", { name: `Root ${root}`, kind: "local", config: {}, allowedRoots: [root] });
      expect(answer, root).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^Invalid input: allowedRoots\.0: .*system folder/) } } });
    }
    expect((await c.rest(c.members.admin, "POST", "/servers", { name: "Odoo in /usr/local", kind: "local", config: {}, allowedRoots: ["/usr/local/odoo"] })).status).toBe(200);
  });
});

describe("databases an environment may use", () => {
  it("(weakened: no pattern) a restore moves aside whatever database the settings name", async () => {
    const source = await createEnvironment("source", ids.permissive, {});
    const good = await backup(id(source));
    expect(good.status, good.error ?? "").toBe("completed");
    const victim = await createEnvironment("victim-db", ids.permissive, { database: victimDatabase, filestorePath: path.join(ROOT, "victim-files") });
    expect(victim.status).toBe(200);
    const restore = await c.rest(c.members.operator, "POST", `/backups/${id({ body: good })}/restores`, { target: "environment", environmentId: id(victim), safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
    expect(await finished("restores", id(restore))).toMatchObject({ status: "completed" });
    expect((await databasesLike(`${victimDatabase}_before_`)).length).toBe(1);
  });

  it("refuses a database outside the server's pattern, and PostgreSQL's own (as its source declares them) everywhere", async () => {
    const answer = await createEnvironment("other-db", ids.guarded, { database: "someone_else" });
    expect(answer).toMatchObject({ status: 422, body: { error: { fields: { "sourceConfig.database": `Database "someone_else" is not allowed on server "Guarded" (allowed: ${client.database}*): an admin can change the server's database pattern` } } } });
    for (const server of [ids.guarded, ids.permissive]) {
      const system = await createEnvironment(`system-${server.slice(0, 4)}`, server, { database: "postgres" });
      expect(system).toMatchObject({ status: 422, body: { error: { fields: { "sourceConfig.database": `"postgres" is one of the database server's own databases: choose the client's database` } } } });
    }
  });

  it("never lets a restore into a new environment take over a database that exists", async () => {
    const source = await createEnvironment("source-2", ids.permissive, {});
    const good = await backup(id(source));
    await runAsAdmin(`create database ${victimDatabase}_taken owner ${client.user}`);
    const restore = await c.rest(c.members.operator, "POST", `/backups/${id({ body: good })}/restores`, {
      target: "new_environment",
      newEnvironment: { projectId: ids.project, name: "taken", stage: "staging", serverId: ids.permissive, sourceConfig: { database: `${victimDatabase}_taken` } },
      safetyBackup: false,
      includeFilestore: false,
      neutralize: false,
      confirm: "RESTORE",
    });
    expect(restore.status).toBe(202);
    expect(await finished("restores", id(restore))).toMatchObject({
      status: "failed",
      error: `Database "${victimDatabase}_taken" already exists on the server: a restore into a new environment never replaces an existing database; choose another name`,
    });
    expect(await databaseExists(`${victimDatabase}_taken`)).toBe(true);
    expect(await databasesLike(`${victimDatabase}_taken_`)).toEqual([]);
  });
});
