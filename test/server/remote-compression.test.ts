import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createRestore, getRestore } from "@/server/services/restores";
import { createServer, updateServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { startTestWorker, waitForBackup } from "../helpers/backup-env";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { waitForRestore } from "../helpers/restore-env";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";

let sshd: Sshd | undefined;
let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let storageDir: string;
let tools: string;
const plugins = builtinPluginHost();
const ids = { project: "", server: "", environment: "", backup: "" };

/** A program on the server that records each run (its arguments, one line) in `<name>.runs`, then runs the real one. */
function recordingWrapper(name: string, real: string): string {
  const file = path.join(tools, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "$*" >> ${file}.runs\nexec ${real} "$@"\n`, { mode: 0o755 });
  fs.chownSync(file, sshd!.uid, sshd!.gid);
  return file;
}

function runsOf(name: string): string[] {
  const file = path.join(tools, `${name}.runs`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

async function backUp(name: string) {
  const created = await createBackup(t.db, owner, { environmentId: ids.environment, name, notes: "", includeFilestore: false, retention: "monthly" });
  const done = await waitForBackup(t.db, owner, created.id);
  const backup = await getBackup(t.db, owner, done.id);
  const manifestArtifact = backup.artifacts.find((a) => a.kind === "manifest");
  const manifest = manifestArtifact ? JSON.parse(fs.readFileSync(path.join(storageDir, manifestArtifact.key), "utf8")) : null;
  const database = backup.artifacts.find((a) => a.kind === "database");
  return { done, backup, manifest, stored: database ? fs.readFileSync(path.join(storageDir, database.key)) : null, log: backup.log.map((l) => l.message) };
}

async function setServer(settings: { compressOn?: "server" | "worker"; programs?: Record<string, string> }) {
  await updateServer(t.db, plugins, owner, { id: ids.server, ...settings });
}

beforeAll(async () => {
  sshd = await startSshd({ user: "safehold-ssh-gz" });
  tools = makeUserDir(sshd, "tools");
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Compress where the data is"));
  client = await createClientDatabase({ createdb: true });
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  await sql.unsafe("create table notes (id int primary key, body text)");
  await sql.unsafe("insert into notes select g, repeat('compressible text ', 20) || g from generate_series(1, 5000) g");
  await sql.end();
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-gz-storage-"));
  ids.project = (await createProject(t.db, owner, { name: "Remote client", description: "" })).id;
  ids.server = (await createServer(t.db, plugins, owner, { name: "Remote", kind: "ssh", config: sshd.config, allowedRoots: [sshd.home] })).id;
  await createStorageLocation(t.db, plugins, owner, { name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true });
  // Plain gzip files, so the test reads what the server sent.
  await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), encrypt: false });
  ids.environment = (
    await createEnvironment(t.db, plugins, owner, {
      projectId: ids.project,
      serverId: ids.server,
      name: "production",
      stage: "production",
      source: "postgres",
      sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database },
    })
  ).id;
  worker = await startTestWorker(t);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await client?.drop();
  await t?.drop();
  await sshd?.stop();
});

// The test sshd needs root (it creates the SSH user) and openssh-server, which .ci/run installs.
describe("compressing where the data is", () => {
  it("compresses a backup on the server: gzip bytes cross SSH and are stored as they came", async () => {
    await setServer({ programs: { gzip: recordingWrapper("gzip", "/bin/gzip") } });
    const { done, manifest, stored, log } = await backUp("compressed on the server");
    expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
    // The server's gzip ran on the dump's output at the console's level (the probe only asks where it is).
    expect(runsOf("gzip")).toEqual(["-5 -c"]);
    expect(manifest.artifacts[0]).toMatchObject({ kind: "database", compressedOn: "server", contentEncoding: "gzip" });
    const dump = gunzipSync(stored!).toString("utf8");
    expect(dump.startsWith("--\n-- PostgreSQL database dump\n--\n")).toBe(true);
    expect(dump).toContain("-- PostgreSQL database dump complete");
    expect(log[0]).toMatch(/^Stored the database file, compressed on the server: \d+ bytes/);
    // The proof counters still saw the dump itself.
    expect(manifest.proof.tables).toMatchObject({ "public.notes": 5000 });
    ids.backup = done.id;
  });

  it("leaves compression to the console when the server's setting says so", async () => {
    await setServer({ compressOn: "worker" });
    const before = runsOf("gzip").length;
    const { done, manifest, stored, log } = await backUp("compressed on the console");
    expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(runsOf("gzip")).toHaveLength(before);
    expect(manifest.artifacts[0]).toMatchObject({ kind: "database", compressedOn: "worker" });
    expect(gunzipSync(stored!).toString("utf8")).toContain("-- PostgreSQL database dump complete");
    expect(log).toContain('Compressing on the console, not on the server: server "Remote" is set to keep compression off it');
    expect(manifest.proof.tables).toMatchObject({ "public.notes": 5000 });
  });

  it("falls back to the console when the server has no gzip", async () => {
    await setServer({ compressOn: "server", programs: { gzip: path.join(tools, "no-such-gzip") } });
    const { done, manifest, log } = await backUp("no gzip there");
    expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(manifest.artifacts[0]).toMatchObject({ compressedOn: "worker" });
    expect(log.some((l) => l.startsWith("Compressing on the console, not on the server:") && l.includes("no-such-gzip is not installed"))).toBe(true);
  });

  it("fails the backup with pg_dump's own message when pg_dump fails under the remote pipeline", async () => {
    const failing = path.join(tools, "failing-pg_dump");
    const realPgDump = execFileSync("sh", ["-c", "command -v pg_dump"], { encoding: "utf8" }).trim();
    // A real dump's first lines, then the failure pg_dump reports when the connection drops mid-way.
    fs.writeFileSync(
      failing,
      `#!/bin/sh\n[ "$1" = --version ] && exec ${realPgDump} --version\nprintf -- '--\\n-- PostgreSQL database dump\\n--\\n\\nCOPY notes FROM stdin;\\n'\necho 'pg_dump: error: Dumping the contents of table "notes" failed: server closed the connection unexpectedly' >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    await setServer({ programs: { gzip: recordingWrapper("gzip", "/bin/gzip"), pg_dump: failing } });
    const before = runsOf("gzip").length;
    const { done, backup } = await backUp("pg_dump fails");
    expect(runsOf("gzip")).toHaveLength(before + 1);
    expect(done.status).toBe("failed");
    expect(done.error).toContain('pg_dump failed (exit code 1): Dumping the contents of table "notes" failed: server closed the connection unexpectedly');
    expect(backup.artifacts).toEqual([]);
    expect(fs.readdirSync(storageDir, { recursive: true }).filter((f) => String(f).includes(backup.id))).toEqual([]);
    await setServer({ programs: {} });
  });

  async function restoreCopy(name: string) {
    const database = `${client.database}_${name}`;
    const restore = await createRestore(t.db, plugins, owner, {
      backupId: ids.backup,
      target: "new_environment",
      newEnvironment: { projectId: ids.project, name, stage: "staging", serverId: ids.server, sourceConfig: { database } },
      safetyBackup: false,
      includeFilestore: false,
      neutralize: false,
      confirm: "RESTORE",
    });
    const done = await waitForRestore(t.db, owner, restore.id);
    const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database, max: 1, onnotice: () => {} });
    const rows = done.status === "completed" ? await sql`select count(*)::int as n, md5(string_agg(body, ',' order by id)) as digest from notes` : [];
    await sql.end();
    return { done, rows, log: (await getRestore(t.db, owner, restore.id)).log.map((l) => l.message) };
  }

  it("restores over SSH by sending the compressed file and decompressing it on the server", async () => {
    await setServer({ compressOn: "server", programs: { gzip: recordingWrapper("gzip", "/bin/gzip") } });
    const before = runsOf("gzip").length;
    const { done, rows, log } = await restoreCopy("gz_copy");
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(runsOf("gzip").slice(before)).toEqual(["-dc"]);
    expect(log).toContain("The database file is sent compressed and decompressed on the server");
    const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
    const original = await sql`select count(*)::int as n, md5(string_agg(body, ',' order by id)) as digest from notes`;
    await sql.end();
    expect(rows).toEqual(original);
  });

  it("restores with the console decompressing when the server's setting says so", async () => {
    await setServer({ compressOn: "worker" });
    const before = runsOf("gzip").length;
    const { done, rows, log } = await restoreCopy("plain_copy");
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(runsOf("gzip")).toHaveLength(before);
    expect(log).not.toContain("The database file is sent compressed and decompressed on the server");
    expect(rows).toEqual([{ n: 5000, digest: expect.any(String) }]);
    await setServer({ compressOn: "server" });
  });

  it("restores an encrypted backup compressed on the server: decrypted on the console, decompressed on the server", async () => {
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), encrypt: true });
    await setServer({ compressOn: "server", programs: { gzip: recordingWrapper("gzip", "/bin/gzip") } });
    const { done, manifest } = await backUp("encrypted, compressed on the server");
    expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(manifest.artifacts[0]).toMatchObject({ compressedOn: "server", encryption: { format: "age" } });
    ids.backup = done.id;
    const before = runsOf("gzip").length;
    const { done: restored, rows } = await restoreCopy("encrypted_copy");
    expect(restored, restored.error ?? "").toMatchObject({ status: "completed" });
    expect(runsOf("gzip").slice(before)).toEqual(["-dc"]);
    expect(rows).toEqual([{ n: 5000, digest: expect.any(String) }]);
    await putOrgPolicy(t.db, owner, { ...(await orgDefaultPolicy(t.db, owner.orgId)), encrypt: false });
  });
});
