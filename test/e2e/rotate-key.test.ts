import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyIdOf, masterKeyFromText } from "@/server/crypto/secret-key";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { runCli, startConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { signInOverHttp, trpcWithCookie } from "../helpers/http-sign-in";
import { createClientWithInvoices, type ClientDatabase } from "../helpers/security-console";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * `safehold secrets rotate-key` on a console with data: an FTP storage location (with its password), a PostgreSQL
 * environment (with its password), the owner's two-factor secret and a completed backup on that FTP storage. After rotation the console started
 * with the new key uses every credential and restores the backup (its manifest was signed with the old key); the
 * console started with the old key says clearly that the secrets were written with another key.
 */
const OLD_KEY = "the-old-safehold-secret-key-0123456789abcdef";
const NEW_KEY = "the-new-safehold-secret-key-fedcba9876543210";

let t: TestDatabase;
let dataDir: string;
let ftp: StorageTarget;
let client: ClientDatabase;
let first: ConsoleWithMembers;
let token: string;
const ids = { storage: "", environment: "", backup: "" };
let totpSecret = "";

const envWith = (key: string) => ({ DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir, SAFEHOLD_SECRET_KEY: key });

/** A REST call (`/api/v1` + path) to `app` as the owner (API tokens survive a rotation: they are stored hashed). */
async function rest(app: ConsoleProcess, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${app.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** "Test connection" of the environment, as the browser calls it (tRPC). */
async function testEnvironment(app: ConsoleProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}/api/trpc/environments.test`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(superjson.serialize({ id: ids.environment })),
  });
  const answer = (await response.json()) as { result?: { data: { json: Record<string, unknown> } }; error?: { json: Record<string, unknown> } };
  return { status: response.status, body: answer.result?.data.json ?? answer.error!.json };
}

async function poll(app: ConsoleProcess, route: string, timeoutMs = 180_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await rest(app, "GET", route);
    if (["completed", "failed"].includes(body.status as string)) return body;
    if (Date.now() > deadline) throw new Error(`${route} still ${String(body.status)}:\n${app.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function withConsole<T>(key: string, run: (app: ConsoleProcess) => Promise<T>): Promise<T> {
  const app = await startConsole(envWith(key));
  try {
    return await run(app);
  } finally {
    await app.stop();
  }
}

beforeAll(async () => {
  [ftp, client, t] = await Promise.all([startFtpStorage(), createClientWithInvoices(), createTestDatabase()]);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-rotate-"));
  first = await startConsoleWithMembers({ SAFEHOLD_DATA_DIR: dataDir, SAFEHOLD_SECRET_KEY: OLD_KEY }, t);
  token = first.members.owner.token;
  const app = first.app;
  const project = await rest(app, "POST", "/projects", { name: "Client" });
  const server = await rest(app, "POST", "/servers", { name: "This host", kind: "local", config: {} });
  ids.storage = (await rest(app, "POST", "/storage-locations", { name: "Client FTP", provider: "ftp", config: ftp.config, isDefault: true })).body.id as string;
  const { host, port, user, password, database } = client;
  const environment = await rest(app, "POST", "/environments", { projectId: project.body.id, name: "production", stage: "production", serverId: server.body.id, source: "postgres", sourceConfig: { host, port, user, password, database } });
  expect(environment.status, JSON.stringify(environment.body)).toBe(200);
  ids.environment = environment.body.id as string;
  const backup = await rest(app, "POST", `/environments/${ids.environment}/backups`, { name: "before the rotation" });
  expect(backup.status, JSON.stringify(backup.body)).toBe(202);
  ids.backup = backup.body.id as string;
  expect(await poll(app, `/backups/${ids.backup}`)).toMatchObject({ status: "completed", verified: true });

  const { cookie } = await signInOverHttp(app.url, { email: first.members.owner.email, password: "owner-password-1" });
  totpSecret = (await trpcWithCookie(app.url, cookie!, "account.startTwoFactor", { currentPassword: "owner-password-1" }, "mutation")).body.secret as string;
  const code = new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate();
  expect((await trpcWithCookie(app.url, cookie!, "account.confirmTwoFactor", { code }, "mutation")).status).toBe(200);
});

afterAll(async () => {
  await first?.stop();
  await t?.drop();
  await client?.drop();
  await ftp?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("safehold secrets rotate-key", () => {
  it("refuses while a console runs against the database", async () => {
    const rotated = await runCli(["secrets", "rotate-key"], envWith(NEW_KEY), `${OLD_KEY}\n`);
    expect(rotated.code).toBe(1);
    expect(rotated.stderr).toContain("Safehold console or worker process(es) are running against this database: stop every one first");
    await first.app.stop();
  });

  it("refuses an old key that does not open the secrets, and changes nothing", async () => {
    const before = await t.sql`select id, secrets from storage_locations order by id`;
    const rotated = await runCli(["secrets", "rotate-key"], envWith(NEW_KEY), "not-the-old-key-but-long-enough-0123456789\n");
    expect(rotated.code).toBe(1);
    expect(rotated.stderr).toMatch(/The old key does not open every stored secret, so nothing was changed\. The secret in \w+\.\w+ of row [\w-]+ was written with key [0-9a-f]{8}, the old key given is [0-9a-f]{8}/);
    expect(await t.sql`select id, secrets from storage_locations order by id`).toEqual(before);
  });

  it("re-encrypts every secret under the new key, with the old key read from standard input", async () => {
    const rotated = await runCli(["secrets", "rotate-key"], envWith(NEW_KEY), `${OLD_KEY}\n`);
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    const [newId, oldId] = [keyIdOf(masterKeyFromText(NEW_KEY)), keyIdOf(masterKeyFromText(OLD_KEY))];
    expect(rotated.stdout).toContain(`under key ${newId} (was ${oldId})`);
    expect(rotated.stdout).toContain("Download links made before now no longer work");
    const values = [
      ...(await t.sql`select secrets as value from storage_locations`),
      ...(await t.sql`select secrets as value from servers`),
      ...(await t.sql`select source_secrets as value from environments`),
      ...(await t.sql`select key as value from retired_keys`),
      ...(await t.sql`select totp_secret as value from users where totp_secret is not null`),
      ...(await t.sql`select identity as value from organization_keys`),
    ].map((row) => row.value as string);
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const value of values) expect(value.startsWith(`v2.${newId}.`)).toBe(true);
  });

  it("a console still started with the old key says the secrets were written with the new one", async () => {
    const [newId, oldId] = [keyIdOf(masterKeyFromText(NEW_KEY)), keyIdOf(masterKeyFromText(OLD_KEY))];
    await withConsole(OLD_KEY, async (app) => {
      const tested = await rest(app, "POST", `/storage-locations/${ids.storage}/test`, {});
      expect(tested.status).toBe(412);
      expect(JSON.stringify(tested.body)).toContain(`storage_locations.secrets of row ${ids.storage} was written with key ${newId}, this console has ${oldId}`);
      expect(await testEnvironment(app)).toMatchObject({ status: 412, body: { message: expect.stringContaining(`environments.source_secrets of row ${ids.environment} was written with key ${newId}`) } });
    });
  });

  it("with the new key every stored credential works and the backup taken before still restores", async () => {
    await withConsole(NEW_KEY, async (app) => {
      expect((await rest(app, "POST", `/storage-locations/${ids.storage}/test`, {})).body).toMatchObject({ ok: true });
      expect((await testEnvironment(app)).body).toMatchObject({ ok: true });
      // The next time step's code: the one used to confirm enrolment cannot be used again.
      const code = new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate({ timestamp: Date.now() + 30_000 });
      const signedIn = await signInOverHttp(app.url, { email: first.members.owner.email, password: "owner-password-1", code });
      expect(signedIn.error).toBeNull();
      expect(signedIn.cookie).toBeTruthy();
      const restore = await rest(app, "POST", `/backups/${ids.backup}/restores`, { target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
      expect(restore.status, JSON.stringify(restore.body)).toBe(202);
      expect(await poll(app, `/restores/${restore.body.id as string}`)).toMatchObject({ status: "completed", error: null });
      // A backup taken now is signed with the new key and restores too.
      const backup = await rest(app, "POST", `/environments/${ids.environment}/backups`, { name: "after the rotation" });
      expect(await poll(app, `/backups/${backup.body.id as string}`)).toMatchObject({ status: "completed", verified: true });
    });
  });
});
