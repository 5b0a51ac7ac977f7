import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { createClientDatabase } from "../helpers/database";
import { fakeFtp, fakePostgres, type FakeListener } from "../helpers/fake-listeners";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * Someone who can write to the console's database but does not hold its key (a DBA, a leaked database backup
 * restored with write access, an SQL injection) copies the sealed secrets of a client's row onto a row that points
 * at a host they control, then lets the console connect there: before secrets were bound to their row, the
 * console decrypted the copy and sent the client's password to the attacker. Each trap first shows it records
 * what reaches it.
 */
let c: ConsoleWithMembers;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let ftp: StorageTarget;
let ftpTrap: FakeListener;
let pgTrap: FakeListener;
const ids = { clientFtp: "", mirror: "", server: "", project: "", clientEnvironment: "", trapEnvironment: "" };

function idOf(answer: { status: number; body: unknown }): string {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body as { id: string }).id;
}

beforeAll(async () => {
  [ftp, ftpTrap, pgTrap] = await Promise.all([startFtpStorage(), fakeFtp(), fakePostgres()]);
  client = await createClientDatabase();
  c = await startConsoleWithMembers();
  const { admin, operator } = c.members;
  ids.clientFtp = idOf(await c.rest(admin, "POST", "/storage-locations", { name: "Client FTP", provider: "ftp", config: ftp.config }));
  ids.mirror = idOf(await c.rest(admin, "POST", "/storage-locations", { name: "Mirror", provider: "ftp", config: { host: ftpTrap.host, port: ftpTrap.port, user: "mirror", password: "mirror-own-password", path: "/backups", secure: "none" } }));
  ids.server = idOf(await c.rest(admin, "POST", "/servers", { name: "This host", kind: "local", config: {} }));
  ids.project = idOf(await c.rest(operator, "POST", "/projects", { name: "Client" }));
  const environment = (name: string, sourceConfig: Record<string, unknown>) =>
    c.rest(operator, "POST", "/environments", { projectId: ids.project, name, stage: "production", serverId: ids.server, source: "postgres", sourceConfig });
  ids.clientEnvironment = idOf(await environment("production", { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database }));
  // An operator may point an environment at any database host: here, one the attacker listens on.
  ids.trapEnvironment = idOf(await environment("staging", { host: pgTrap.host, port: pgTrap.port, user: client.user, password: "operator-typed", database: client.database }));
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
  await Promise.all([ftp?.stop(), ftpTrap?.stop(), pgTrap?.stop()]);
});

describe("a sealed secret copied to another row is refused", () => {
  it("storage: the client's FTP password copied onto a location that points at the attacker never leaves the console", async () => {
    const { operator } = c.members;
    // The trap works: the mirror's own password reaches it.
    expect((await c.rest(operator, "POST", `/storage-locations/${ids.mirror}/test`, {})).body).toMatchObject({ ok: false });
    expect(ftpTrap.received).toContain("mirror-own-password");

    await c.t.sql`update storage_locations set secrets = (select secrets from storage_locations where id = ${ids.clientFtp}) where id = ${ids.mirror}`;
    const tested = await c.rest(operator, "POST", `/storage-locations/${ids.mirror}/test`, {});

    expect(ftpTrap.received).not.toContain(ftp.config.password);
    expect(tested.status).toBe(412);
    expect(tested.body).toEqual({
      error: {
        code: "precondition_failed",
        message: `The secret in storage_locations.secrets of row ${ids.mirror} does not belong to this row and column: it was sealed for another place (copied in the database) or altered; refusing to use it. Save these settings again with their secrets.`,
      },
    });
    // The client's own location is untouched and still works.
    expect((await c.rest(operator, "POST", `/storage-locations/${ids.clientFtp}/test`, {})).body).toMatchObject({ ok: true });
    // The list still shows the damaged location, and an admin repairs it by typing its own secret again.
    expect((await c.rest(operator, "GET", "/storage-locations")).status).toBe(200);
    const mirror = { host: ftpTrap.host, port: ftpTrap.port, user: "mirror", password: "mirror-own-password", path: "/backups", secure: "none" };
    expect((await c.trpc(c.members.admin, "storageLocations.update", { id: ids.mirror, config: mirror })).status).toBe(200);
    expect((await c.rest(operator, "POST", `/storage-locations/${ids.mirror}/test`, {})).body).toMatchObject({ ok: false });
    expect(ftpTrap.received.filter((p) => p === "mirror-own-password").length).toBeGreaterThanOrEqual(2);
    expect(ftpTrap.received).not.toContain(ftp.config.password);
  });

  it("environments: the client's database password copied onto an operator's environment never reaches the attacker's host", async () => {
    const { operator } = c.members;
    await c.trpc(operator, "environments.test", { id: ids.trapEnvironment });
    expect(pgTrap.received).toContain("operator-typed");

    await c.t.sql`update environments set source_secrets = (select source_secrets from environments where id = ${ids.clientEnvironment}) where id = ${ids.trapEnvironment}`;
    const tested = await c.trpc(operator, "environments.test", { id: ids.trapEnvironment });

    expect(pgTrap.received).not.toContain(client.password);
    expect(tested.status).toBe(412);
    expect(tested.body).toMatchObject({ message: expect.stringContaining(`environments.source_secrets of row ${ids.trapEnvironment}`) });
    expect((await c.trpc(operator, "environments.test", { id: ids.clientEnvironment })).body).toMatchObject({ ok: true });
  });

  it("a secret moved to another column of its own row is refused too", async () => {
    const { operator } = c.members;
    await c.t.sql`update servers set secrets = (select source_secrets from environments where id = ${ids.clientEnvironment}) where id = ${ids.server}`;
    const tested = await c.trpc(operator, "servers.test", { id: ids.server });
    expect(tested.status).toBe(412);
    expect(tested.body).toMatchObject({ message: expect.stringContaining(`servers.secrets of row ${ids.server}`) });
  });
});
