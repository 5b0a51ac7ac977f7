import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers, type Member } from "../helpers/console-members";
import { startMariaDb, type MariaDb } from "../helpers/mariadb";
import { createCrmDatabase, databaseExists, tableChecksums } from "../helpers/mysql-fixture";
import { freePort } from "../helpers/ports";

/** Small enough for an end-to-end run; the server tests take the million rows. */
const BIG_ROWS = 20_000;
const LIVE = "crm_live";
const OWNER_PASSWORD = "owner-password-1";
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-mysql-storage-"));

let maria: MariaDb;
let consoleApp: ConsoleWithMembers;
let owner: Member;
let original: Record<string, string>;

type Json = Record<string, unknown>;

/** A REST call as the owner that must answer `status`; returns the body. */
async function call<T = Json>(method: string, path: string, body: unknown, status: number): Promise<T> {
  const answer = await consoleApp.rest(owner, method, path, body);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body as T;
}

async function poll<T extends { status: string }>(path: string, final: string[], timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = await call<T>("GET", path, undefined, 200);
    if (final.includes(item.status)) return item;
    if (Date.now() > deadline) throw new Error(`${path} still ${item.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The views, triggers and routines of a database, by name (what a faithful restore must bring back). */
function schemaObjects(database: string): Record<string, string[]> {
  const names = (sql: string) => maria.rows(sql).map(([name]) => name!);
  return {
    views: names(`SELECT table_name FROM information_schema.views WHERE table_schema = '${database}' ORDER BY 1`),
    triggers: names(`SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = '${database}' ORDER BY 1`),
    routines: names(`SELECT CONCAT(routine_type, ' ', routine_name) FROM information_schema.routines WHERE routine_schema = '${database}' ORDER BY 1`),
  };
}

/** The restored database holds the same rows, checksum for checksum, and the same views, triggers and routines. */
function expectSameAsOriginal(database: string): void {
  expect(databaseExists(maria, database)).toBe(true);
  expect(tableChecksums(maria, database)).toEqual(original);
  expect(schemaObjects(database)).toEqual({
    views: ["contact_names", "notes_per_contact"],
    triggers: ["notes_audit"],
    routines: ["FUNCTION with_tax", "PROCEDURE count_notes"],
  });
  // The views work in the copy (they must not point back at the original database).
  expect(maria.rows("SELECT COUNT(*) FROM contact_names", database)).toEqual([[String(300)]]);
}

beforeAll(async () => {
  maria = await startMariaDb();
  createCrmDatabase(maria, LIVE, { bigRows: BIG_ROWS });
  original = tableChecksums(maria, LIVE);
  consoleApp = await startConsoleWithMembers();
  owner = consoleApp.members.owner;
});

afterAll(async () => {
  await consoleApp?.stop();
  await maria?.stop();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

describe("a MySQL environment in the browser", () => {
  let browser: Browser;
  let page: Page;
  let environmentUrl: string;

  beforeAll(async () => {
    ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("adds this host as a server and a local storage location", async () => {
    await signIn(page, consoleApp.app.url, owner.email, OWNER_PASSWORD);
    await page.goto(`${consoleApp.app.url}/servers`);
    await page.getByRole("button", { name: "Add server" }).click();
    const server = page.getByRole("dialog", { name: "Add server" });
    await server.getByLabel("Kind").selectOption("local");
    await server.getByLabel("Name", { exact: true }).fill("This host");
    await server.getByRole("button", { name: "Test connection" }).click();
    await server.getByRole("status").getByText("is reachable").waitFor();
    await server.getByRole("button", { name: "Save" }).click();
    await server.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: /This host/ }).waitFor();

    await page.goto(`${consoleApp.app.url}/settings/storage`);
    await page.getByRole("button", { name: "Add storage location" }).click();
    const storage = page.getByRole("dialog", { name: "Add storage location" });
    await storage.getByLabel("Provider", { exact: true }).selectOption("local");
    await storage.getByLabel("Name", { exact: true }).fill("Backups disk");
    await storage.getByLabel("Folder").fill(path.join(storageDir, "browser"));
    await storage.getByRole("button", { name: "Test connection" }).click();
    await storage.getByRole("status").getByText("is writable").waitFor();
    await storage.getByRole("button", { name: "Save" }).click();
    await storage.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: /Backups disk/ }).waitFor();
  });

  it("creates a project and a MySQL environment, its connection tested", async () => {
    await page.goto(`${consoleApp.app.url}/projects`);
    await page.getByRole("button", { name: "New project" }).click();
    const projectDialog = page.getByRole("dialog", { name: "New project" });
    await projectDialog.getByLabel("Name", { exact: true }).fill("Dolibarr CRM");
    await projectDialog.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Dolibarr CRM" }).waitFor();

    await page.getByRole("button", { name: "Add environment" }).click();
    const dialog = page.getByRole("dialog", { name: "Add environment" });
    await dialog.getByLabel("Name", { exact: true }).fill("production");
    await dialog.getByLabel("Stage").selectOption("production");
    await dialog.getByLabel("Source").selectOption("mysql");
    await dialog.getByText("MySQL / MariaDB database settings").waitFor();
    await dialog.locator("[data-server-rules]").getByText("any database but the database server's own").waitFor();
    // The manifest's defaults are prefilled.
    await expect(dialog.getByLabel("Host").inputValue()).resolves.toBe("127.0.0.1");
    await dialog.getByLabel("Host").fill(maria.host);
    await dialog.getByLabel("Port").fill(String(maria.port));
    await dialog.getByLabel("User").fill(maria.user);
    await dialog.getByLabel(/^Password/).fill("not-the-password");
    await dialog.getByLabel("Database").fill(LIVE);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("alert").getByText(`Authentication failed for user "${maria.user}"`, { exact: false }).waitFor();
    await screenshotOf(dialog, "mysql-01-environment-wrong-password");

    await dialog.getByLabel(/^Password/).fill(maria.password);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText(new RegExp(`Connected to MariaDB \\d+\\.\\d+\\.\\d+, database "${LIVE}" .*mariadb-dump .* is available`)).waitFor();
    await screenshotOf(dialog, "mysql-02-environment-connected");
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "production" }).click();
    await page.getByRole("heading", { name: "production" }).waitFor();
    environmentUrl = page.url();
    await page.getByRole("link", { name: "Settings" }).last().click();
    await page.getByText("Source settings").waitFor();
    await screenshot(page, "mysql-03-environment-settings");
  });

  it("takes a backup from the Backup Management tab: completed and verified", async () => {
    await page.goto(environmentUrl);
    await page.getByRole("link", { name: "Backup Management" }).click();
    await page.getByText("No backups of this environment yet").waitFor();
    await page.getByRole("button", { name: "Create Backup" }).click();
    const dialog = page.getByRole("dialog", { name: "Create backup" });
    await dialog.getByLabel("Name (optional)").fill("Before the Dolibarr upgrade");
    await expect.poll(() => dialog.getByLabel("Storage location").inputValue()).not.toBe("");
    await screenshotOf(dialog, "mysql-04-create-backup");
    await dialog.getByRole("button", { name: "Create backup" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Before the Dolibarr upgrade/ });
    await row.getByText("Verified").waitFor({ timeout: 120_000 });
    await row.getByText("Completed").waitFor();
    await screenshot(page, "mysql-05-backup-completed");
  });

  it("downloads the database dump: gzip'd SQL with the fixture's tables and emoji", async () => {
    const row = page.getByRole("row", { name: /Before the Dolibarr upgrade/ });
    await row.getByRole("button", { name: /^Actions for backup/ }).click();
    await page.getByRole("menuitem", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download backup" });
    await dialog.getByRole("button", { name: "Create links" }).click();
    const links = dialog.getByRole("list", { name: "Download links" }).getByRole("listitem");
    // A database-only backup (no uploads folder): the dump and the manifest, named as the source names them.
    await expect.poll(() => links.count()).toBe(2);
    await screenshotOf(dialog, "mysql-06-download-links");
    const url = await dialog.getByLabel("Link to MySQL dump", { exact: true }).inputValue();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/filename="backup-[\w-]+-database\.sql\.gz"/);
    const sql = gunzipSync(Buffer.from(await response.arrayBuffer())).toString("utf8");
    expect(sql).toMatch(/^-- (MariaDB|MySQL) dump/m);
    for (const table of ["llx_socpeople", "notes", "attachments", "audit", "big"]) expect(sql).toContain(`CREATE TABLE \`${table}\``);
    expect(sql).toContain("Grüße 👋🏽 from Zoë — 日本語 ✓");
    expect(sql).toContain("🦄🧪🏳️‍🌈");
    expect(sql).toMatch(/-- Dump completed/);
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await dialog.waitFor({ state: "detached" });
  });

  it("restores the backup into a new environment through the wizard", async () => {
    await page.getByRole("button", { name: "Restore", exact: true }).first().click();
    const dialog = page.getByRole("dialog", { name: "Restore backup" });
    await dialog.getByText("New environment", { exact: true }).click();
    await dialog.getByLabel("Name", { exact: true }).fill("restored copy");
    // The copy gets its own database, suggested from the original's.
    await expect(dialog.getByLabel("Database").inputValue()).resolves.toBe(`${LIVE}_copy`);
    await dialog.getByLabel("Database").fill("crm_restored");
    await dialog.getByText("and so is its password").waitFor();
    await screenshotOf(dialog, "mysql-07-restore-target");
    await dialog.getByRole("button", { name: "Next" }).click();
    await dialog.getByText("it has no data to save first").waitFor();
    // A plain database has no mail or scheduled jobs Safehold knows of: no "Neutralize" promise is offered.
    expect(await dialog.getByLabel("Neutralize").count()).toBe(0);
    await screenshotOf(dialog, "mysql-08-restore-options");
    await dialog.getByRole("button", { name: "Next" }).click();
    await dialog.getByText("Not neutralized").waitFor();
    await screenshotOf(dialog, "mysql-09-restore-confirm");
    await dialog.getByRole("button", { name: "Restore backup" }).click();

    const progress = page.getByRole("dialog", { name: "Restoring backup" });
    await progress.getByText("Restore completed").waitFor({ timeout: 180_000 });
    await screenshot(page, "mysql-10-restore-completed");
    expectSameAsOriginal("crm_restored");
    // The original is untouched.
    expect(tableChecksums(maria, LIVE)).toEqual(original);
  });
});

describe("a MySQL environment over REST", () => {
  let serverId: string;
  let projectId: string;
  let environmentId: string;

  it("sets up a server, a storage location, a project and a mysql environment", async () => {
    serverId = (await call<{ id: string }>("POST", "/servers", { name: "REST host", kind: "local", config: {} }, 200)).id;
    await call("POST", "/storage-locations", { name: "REST disk", provider: "local", config: { path: path.join(storageDir, "rest") }, isDefault: true }, 200);
    projectId = (await call<{ id: string }>("POST", "/projects", { name: "CRM over REST" }, 200)).id;
    const environment = await call<{ id: string; source: string; sourceConfig: Json }>(
      "POST",
      "/environments",
      { projectId, serverId, name: "crm", stage: "production", source: "mysql", sourceConfig: { host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: LIVE } },
      200,
    );
    environmentId = environment.id;
    expect(environment.source).toBe("mysql");
    // The password is stored sealed and never given back.
    expect(JSON.stringify(environment)).not.toContain(maria.password);
    expect(await call("POST", `/environments/${environmentId}/test`, {}, 200)).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected to MariaDB/) });
  });

  it("backs up, downloads the dump through a link, restores into a new environment", async () => {
    const queued = await call<{ id: string }>("POST", `/environments/${environmentId}/backups`, { name: "over REST" }, 202);
    const backup = await poll<{ status: string; verified: boolean; error: string | null; artifacts: Array<{ kind: string }> }>(`/backups/${queued.id}`, ["completed", "failed"]);
    expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
    expect(backup.artifacts.map((a) => a.kind).sort()).toEqual(["database", "manifest"]);

    const link = await call<{ url: string; fileName: string }>("POST", `/backups/${queued.id}/download-links`, { artifact: "database", expiresIn: 900 }, 200);
    expect(link.fileName).toBe(`backup-${queued.id}-database.sql.gz`);
    const dump = await fetch(link.url);
    expect(dump.status).toBe(200);
    const sql = gunzipSync(Buffer.from(await dump.arrayBuffer())).toString("utf8");
    expect(sql).toContain("CREATE TABLE `llx_socpeople`");
    expect(sql).toContain("Zoë 🙂");

    // Nothing in a plain database is known to send mail or run jobs: a "neutralized" copy would be a false promise.
    const neutralized = await consoleApp.rest(owner, "POST", `/backups/${queued.id}/restores`, {
      target: "new_environment",
      newEnvironment: { projectId, serverId, name: "never made", stage: "staging", sourceConfig: { database: "crm_never" } },
      neutralize: true,
      confirm: "RESTORE",
    });
    expect(neutralized).toMatchObject({ status: 422, body: { error: { message: `The "mysql" source cannot neutralize a restored copy: restore without neutralize` } } });

    const restore = await call<{ id: string }>(
      "POST",
      `/backups/${queued.id}/restores`,
      { target: "new_environment", newEnvironment: { projectId, serverId, name: "crm restored", stage: "staging", sourceConfig: { database: "crm_rest_restored" } }, confirm: "RESTORE" },
      202,
    );
    const done = await poll<{ status: string; error: string | null; targetEnvironmentName: string | null; neutralize: boolean }>(`/restores/${restore.id}`, ["completed", "failed"]);
    expect(done, done.error ?? "").toMatchObject({ status: "completed", targetEnvironmentName: "crm restored", neutralize: false });
    expectSameAsOriginal("crm_rest_restored");
  });

  it("tests a connection to a closed port and with a wrong password: ok false and one clear line", async () => {
    const closed = await freePort();
    const create = async (name: string, sourceConfig: Json) =>
      (await call<{ id: string }>("POST", "/environments", { projectId, serverId, name, stage: "staging", source: "mysql", sourceConfig: { host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: LIVE, ...sourceConfig } }, 200)).id;

    const closedPort = await call<{ ok: boolean; message: string }>("POST", `/environments/${await create("closed port", { port: closed })}/test`, {}, 200);
    expect(closedPort).toEqual({ ok: false, message: `Cannot connect to MySQL/MariaDB at 127.0.0.1:${closed} from the server: nothing is listening there, or the host cannot be reached` });

    const wrong = await call<{ ok: boolean; message: string }>("POST", `/environments/${await create("wrong password", { password: "not-the-password" })}/test`, {}, 200);
    expect(wrong).toEqual({ ok: false, message: `Authentication failed for user "${maria.user}": wrong password (or the user may not connect from the server)` });
    for (const answer of [closedPort, wrong]) expect(answer.message).not.toContain("\n");
    // The database server's own databases (the source declares them) are never an environment's, whatever the server's pattern allows.
    const system = await consoleApp.rest(owner, "POST", "/environments", { projectId, serverId, name: "system database", stage: "staging", source: "mysql", sourceConfig: { host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: "mysql" } });
    expect(system.status).toBe(422);
    expect(system.body).toMatchObject({ error: { fields: { "sourceConfig.database": `"mysql" is one of the database server's own databases: choose the client's database` } } });
  });
});
