import type { Browser, Page } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createApiToken } from "@/server/services/api-tokens";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import { startS3Storage } from "../helpers/storage-servers/s3";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * Second copies through a console started as `npm start` starts it, over REST v1 and in the browser: a backup on
 * s3rver copied to a local folder (verified) and to an FTP server refusing the password (retried, failed, on the
 * dashboard), shown as "2 of 3 copies"; then the primary s3rver is stopped and a restore still succeeds from the
 * second copy, saying so in its log.
 */
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let token: string;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let primaryS3: StorageTarget;
let primaryStopped = false;
let ftp: StorageTarget;
let environmentId: string;
const plugins = builtinPluginHost();

type Copy = { storageLocationId: string; name: string; status: string; verifiedAt: string | null; error: string | null };
type Backup = { id: string; status: string; verified: boolean; storageLocationName: string; copies: Copy[]; error: string | null };
type Restore = { id: string; status: string; error: string | null; log: Array<{ message: string; level: string }> };

async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${app.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function clientUrl(): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  return url.toString();
}

async function invoices(): Promise<number> {
  const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ n: number }[]>`select count(*)::int as n from invoices`)[0]!.n;
  } finally {
    await sql.end();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Three Two One"));
  token = (await createApiToken(t.db, owner, { name: "copies" })).token;
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createClientDatabase({ createdb: true });
  const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
  await sql`create table invoices (id serial primary key, name text not null)`;
  await sql`insert into invoices (name) select 'INV-' || n from generate_series(1, 500) as n`;
  await sql.end();
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, client)).id;
  [primaryS3, ftp] = await Promise.all([startS3Storage(), startFtpStorage()]);
  app = await startTestConsole(t, "copies");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, ftp, primaryStopped ? undefined : primaryS3, client, t));

describe("second copies through the console", () => {
  it("copies each backup, shows its copies and a failed one, and restores from the second copy when the primary is down", async () => {
    const primary = await createStorageLocation(t.db, plugins, owner, { name: "Primary S3", provider: "s3", config: primaryS3.config, isDefault: false });
    const broken = await createStorageLocation(t.db, plugins, owner, { name: "Offsite FTP", provider: "ftp", config: ftp.badCredentials!, isDefault: false });
    // The local folder of the setup is the second copy; the FTP server refuses the password.
    const policy = await api<Record<string, unknown>>("PUT", `/environments/${environmentId}/backup-policy`, { storageLocationId: primary.id, copies: [setup.storage.id, broken.id] });
    expect(policy).toMatchObject({ status: 200, body: { storageLocationId: primary.id, copies: [setup.storage.id, broken.id] } });
    const refused = await api<{ error: { message: string } }>("PUT", `/environments/${environmentId}/backup-policy`, { storageLocationId: primary.id, copies: [primary.id] });
    expect(refused).toMatchObject({ status: 422, body: { error: { message: '"Primary S3" already holds the backups: a second copy must go to another location' } } });
    await api("PUT", `/environments/${environmentId}/backup-policy`, { storageLocationId: primary.id, copies: [setup.storage.id, broken.id] });

    const created = await api<Backup>("POST", `/environments/${environmentId}/backups`, { name: "Before the migration" });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // The FTP copy's retries are made due at once instead of after graphile-worker's backoff.
    const copied = await until(
      "the copies",
      async () => {
        await t.sql`update graphile_worker._private_jobs set run_at = now() where locked_at is null and task_id = (select id from graphile_worker._private_tasks where identifier = 'backup/copy')`;
        return (await api<Backup>("GET", `/backups/${id}`)).body;
      },
      (b) => b.status === "failed" || (b.copies.length === 2 && b.copies.every((c) => c.status === "completed" || c.status === "failed")),
    );
    expect(copied).toMatchObject({ status: "completed", verified: true, storageLocationName: "Primary S3" });
    expect(copied.copies).toEqual([
      { storageLocationId: setup.storage.id, name: setup.storage.name, status: "completed", verifiedAt: expect.any(String), error: null, attempts: 1 },
      { storageLocationId: broken.id, name: "Offsite FTP", status: "failed", verifiedAt: null, error: expect.stringContaining("refused the login"), attempts: 5 },
    ]);

    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await page.getByText("2 of 3 copies").waitFor();
    await page.getByText(`Second copy failed: Offsite FTP: ${copied.copies[1]!.error}`).waitFor();
    await screenshot(page, "copies-01-environment");
    await page.goto(app.url);
    await page.getByText(`Second copy failed: Offsite FTP: ${copied.copies[1]!.error}`).waitFor();
    await page.getByRole("button", { name: "Retry" }).waitFor();
    await screenshot(page, "copies-02-dashboard");
    // The environment's override is edited in place: the FTP location is taken off its second copies.
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await page.getByRole("row", { name: /Second copies/ }).getByRole("button", { name: "Change" }).click();
    const dialog = page.getByRole("dialog", { name: "Change second copies" });
    await dialog.getByLabel("Offsite FTP").uncheck();
    expect(await dialog.getByLabel("Primary S3").count()).toBe(0);
    await screenshotOf(dialog, "copies-03-override");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await api<{ copies: string[] }>("GET", `/environments/${environmentId}/backup-policy`)).body.copies).toEqual([setup.storage.id]);
    await page.goto(`${app.url}/settings/backups`);
    // The org default offers every location but its own default (the setup's folder) as a second copy.
    await page.getByLabel("Offsite FTP").waitFor();
    await page.getByLabel("Primary S3").waitFor();
    await screenshot(page, "copies-04-default-policy");

    // The primary location's server stops; the client's data changes; the restore reads the second copy.
    primaryStopped = true;
    await primaryS3.stop();
    const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
    await sql`delete from invoices where id > 5`;
    await sql.end();
    const restore = await api<Restore>("POST", `/backups/${id}/restores`, { target: "original", safetyBackup: false, includeFilestore: false, neutralize: false, confirm: "RESTORE" });
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    const done = await until("the restore", async () => (await api<Restore>("GET", `/restores/${restore.body.id}`)).body, (r) => r.status === "completed" || r.status === "failed");
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect(await invoices()).toBe(500);
    expect(done.log).toContainEqual(
      expect.objectContaining({ level: "warn", message: expect.stringMatching(new RegExp(`^Read the backup from the second copy in ${setup.storage.name}: the primary location Primary S3 was unreachable \\(.+\\)$`)) }),
    );
    // A download link made now is served from the second copy too.
    const link = await api<{ url: string }>("POST", `/backups/${id}/download-links`, { artifact: "manifest", expiresIn: 900 });
    expect(link.status).toBe(200);
    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    expect(JSON.parse(await download.text())).toMatchObject({ backupId: id });
  });
});
