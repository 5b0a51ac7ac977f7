import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET_MASK } from "@/shared/secret-mask";
import { startConsoleWithMembers, type ConsoleWithMembers, type Member } from "../helpers/console-members";
import { createClientDatabase } from "../helpers/database";
import { fakeFtp, fakePostgres, fakeSsh, type FakeListener } from "../helpers/fake-listeners";
import { startSshd, type Sshd } from "../helpers/sshd";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import { startSftpStorage } from "../helpers/storage-servers/sftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * Item 3 of the trust-boundary review: a connection test (or an edit) that keeps a stored secret while pointing
 * the settings at a host the caller typed sent that secret there. Each attack aims a stored secret at a
 * listener that records what it is offered; each first shows the listener does record a secret sent to it.
 */
let c: ConsoleWithMembers;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let ftp: StorageTarget;
let sftp: StorageTarget;
let sshd: Sshd;
let pg: FakeListener;
let ftpTrap: FakeListener;
let sshTrap: FakeListener;
const ids = { ftp: "", sftp: "", sshServer: "", localServer: "", otherServer: "", project: "", environment: "", backup: "" };
const SFTP_PASSWORD = "sftp-stored-password";

type Item = { id: string; config: Record<string, unknown>; sourceConfig: Record<string, unknown> };

async function item(member: Member, procedure: string, id: string): Promise<Item> {
  const answer = await c.trpc(member, procedure, { id }, "query");
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Item;
}

function ids$(answer: { body: unknown }): string {
  return (answer.body as { id: string }).id;
}

beforeAll(async () => {
  [ftp, sftp, sshd, pg, ftpTrap, sshTrap] = await Promise.all([startFtpStorage(), startSftpStorage(), startSshd({ user: "safehold-sec-ssh" }), fakePostgres(), fakeFtp(), fakeSsh()]);
  client = await createClientDatabase();
  c = await startConsoleWithMembers();
  const { admin, operator } = c.members;
  ids.ftp = ids$(await c.rest(admin, "POST", "/storage-locations", { name: "FTP", provider: "ftp", config: ftp.config }));
  ids.sftp = ids$(await c.rest(admin, "POST", "/storage-locations", { name: "SFTP", provider: "sftp", config: { ...sftp.config, password: SFTP_PASSWORD } }));
  const disk = await c.rest(admin, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sec-secrets-")) }, isDefault: true });
  expect(disk.status).toBe(200);
  ids.sshServer = ids$(await c.rest(admin, "POST", "/servers", { name: "Client host", kind: "ssh", config: sshd.config }));
  ids.localServer = ids$(await c.rest(admin, "POST", "/servers", { name: "This host", kind: "local", config: {} }));
  ids.otherServer = ids$(await c.rest(admin, "POST", "/servers", { name: "This host again", kind: "local", config: {} }));
  ids.project = ids$(await c.rest(operator, "POST", "/projects", { name: "Client" }));
  const environment = await c.rest(operator, "POST", "/environments", {
    projectId: ids.project,
    name: "production",
    stage: "production",
    serverId: ids.localServer,
    source: "postgres",
    sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database },
  });
  ids.environment = ids$(environment);
  ids.backup = ids$(await c.rest(operator, "POST", `/environments/${ids.environment}/backups`, {}));
  for (let i = 0; i < 300; i++) {
    const { body } = await c.rest(operator, "GET", `/backups/${ids.backup}`);
    if ((body as { status: string }).status === "completed") break;
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
  await Promise.all([ftp?.stop(), sftp?.stop(), sshd?.stop(), pg?.stop(), ftpTrap?.stop(), sshTrap?.stop()]);
});

describe("a stored secret goes only where it was stored for", () => {
  it("(the traps work) a secret typed into a test reaches the host it names", async () => {
    const { admin, operator } = c.members;
    await c.trpc(admin, "storageLocations.testDraft", { provider: "ftp", config: { ...ftp.config, host: ftpTrap.host, port: ftpTrap.port, password: "typed-ftp" } });
    expect(ftpTrap.received).toEqual(["typed-ftp"]);
    await c.trpc(admin, "storageLocations.testDraft", { provider: "sftp", config: { ...sftp.config, host: sshTrap.host, port: sshTrap.port, hostKeyFingerprint: "", password: "typed-sftp" } });
    expect(sshTrap.received).toContain("password:typed-sftp");
    await c.trpc(operator, "environments.testDraft", { serverId: ids.localServer, source: "postgres", sourceConfig: { host: pg.host, port: pg.port, user: client.user, password: "typed-db", database: client.database } });
    expect(pg.received).toContain("typed-db");
    ftpTrap.received.length = 0;
    sshTrap.received.length = 0;
    pg.received.length = 0;
  });

  it("storage: operators may test only saved settings; an admin's edited test must type the secret again", async () => {
    const { admin, operator } = c.members;
    const saved = await item(admin, "storageLocations.get", ids.ftp);
    expect(saved.config.password).toBe(SECRET_MASK);
    const aimed = { ...saved.config, host: ftpTrap.host, port: ftpTrap.port };
    const asOperator = await c.trpc(operator, "storageLocations.testDraft", { id: ids.ftp, config: aimed });
    expect(asOperator).toMatchObject({ status: 403, body: { message: "Testing edited or new storage settings needs the admin role; operators can test saved locations" } });
    const asAdmin = await c.trpc(admin, "storageLocations.testDraft", { id: ids.ftp, config: aimed });
    expect(asAdmin).toMatchObject({ status: 422, body: { message: "Type the password again: Port changed, and a saved secret is only ever sent where it was saved for", data: { fields: { "config.password": "Type the password again: Port changed" } } } });
    const edited = await c.trpc(admin, "storageLocations.update", { id: ids.ftp, config: aimed });
    expect(edited.status).toBe(422);
    expect((await c.trpc(operator, "storageLocations.testDraft", { id: ids.ftp })).body).toMatchObject({ ok: true });
    expect(ftpTrap.received).toEqual([]);
  });

  it("SFTP: the saved pin is part of where the password goes, and a pinned key is always enforced", async () => {
    const { admin } = c.members;
    const saved = await item(admin, "storageLocations.get", ids.sftp);
    const unpinned = await c.trpc(admin, "storageLocations.testDraft", { id: ids.sftp, config: { ...saved.config, hostKeyFingerprint: "" } });
    expect(unpinned).toMatchObject({ status: 422, body: { data: { fields: { "config.password": "Type the password again: Pinned host key fingerprint changed" } } } });
    const moved = await c.trpc(admin, "storageLocations.testDraft", { id: ids.sftp, config: { ...saved.config, host: sshTrap.host, port: sshTrap.port } });
    expect(moved.status).toBe(422);
    // Typed again but still pinned: the impostor's host key is refused before any password is offered.
    const retyped = await c.trpc(admin, "storageLocations.testDraft", { id: ids.sftp, config: { ...saved.config, port: sshTrap.port, password: SFTP_PASSWORD, privateKey: sftp.config.privateKey } });
    expect(retyped.body).toMatchObject({ ok: false, message: expect.stringMatching(/host key of 127\.0\.0\.1:\d+ has changed/) });
    expect(sshTrap.received).toEqual([]);
  });

  it("SSH servers: an edited test must carry the private key again; operators cannot test edited settings", async () => {
    const { admin, operator } = c.members;
    const saved = await item(admin, "servers.get", ids.sshServer);
    const connectionsBefore = sshTrap.connections;
    const aimed = { ...saved.config, host: sshTrap.host, port: sshTrap.port, hostKeyFingerprint: "" };
    expect(await c.trpc(operator, "servers.test", { id: ids.sshServer, config: aimed })).toMatchObject({ status: 403 });
    expect(await c.trpc(admin, "servers.test", { id: ids.sshServer, config: aimed })).toMatchObject({ status: 422, body: { data: { fields: { "config.privateKey": "Type the private key again: Port, Pinned host key fingerprint changed" } } } });
    expect((await c.trpc(operator, "servers.test", { id: ids.sshServer })).body).toMatchObject({ ok: true });
    expect(sshTrap.received).toEqual([]);
    expect(sshTrap.connections).toBe(connectionsBefore);
  });

  it("environments: the database password follows neither a new host nor another server", async () => {
    const { operator } = c.members;
    const saved = await item(operator, "environments.get", ids.environment);
    expect(saved.sourceConfig.password).toBe(SECRET_MASK);
    const aimed = { ...saved.sourceConfig, host: pg.host, port: pg.port };
    const tested = await c.trpc(operator, "environments.test", { id: ids.environment, sourceConfig: aimed });
    expect(tested).toMatchObject({ status: 422, body: { data: { fields: { "sourceConfig.password": "Type the password again: Port changed" } } } });
    expect((await c.trpc(operator, "environments.update", { id: ids.environment, sourceConfig: aimed })).status).toBe(422);
    const moved = await c.trpc(operator, "environments.update", { id: ids.environment, serverId: ids.otherServer });
    expect(moved).toMatchObject({ status: 422, body: { data: { fields: { "sourceConfig.password": "Type the password again: server changed" } } } });
    const renamed = await c.trpc(operator, "environments.update", { id: ids.environment, sourceConfig: { ...saved.sourceConfig, database: "postgres_other" } });
    expect(renamed.status).toBe(422);
    expect((await c.trpc(operator, "environments.test", { id: ids.environment })).body).toMatchObject({ ok: true });
    expect(pg.received).toEqual([]);
  });

  it("restore into a new environment: the original's password is reused only on the same server, host, port and user", async () => {
    const { operator } = c.members;
    const request = (newEnvironment: Record<string, unknown>) =>
      c.rest(operator, "POST", `/backups/${ids.backup}/restores`, { target: "new_environment", newEnvironment: { projectId: ids.project, stage: "staging", ...newEnvironment }, safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
    const aimed = await request({ name: "copy-a", serverId: ids.localServer, sourceConfig: { host: pg.host, port: pg.port, database: `${client.database}_copy` } });
    expect(aimed).toMatchObject({ status: 422, body: { error: { fields: { "newEnvironment.sourceConfig.password": "Type the password again: Port changed" } } } });
    const elsewhere = await request({ name: "copy-b", serverId: ids.otherServer, sourceConfig: { database: `${client.database}_copy` } });
    expect(elsewhere).toMatchObject({ status: 422, body: { error: { fields: { "newEnvironment.sourceConfig.password": "Type the password again: server changed" } } } });
    const same = await request({ name: "copy-c", serverId: ids.localServer, sourceConfig: { database: `${client.database}_copy` } });
    expect(same.status).toBe(202);
    expect(pg.received).toEqual([]);
  });
});
