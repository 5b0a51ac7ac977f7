import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { Role } from "@/server/db/schema";
import { createProject } from "@/server/services/projects";
import { createStorageLocation } from "@/server/services/storage-locations";
import { ENVIRONMENTS_ROOT } from "../helpers/backup-env";
import { launchBrowser, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, type OdooClient } from "../helpers/restore-env";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

const PACED_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/paced-pg-dump");
const plugins = builtinPluginHost();

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let principals: Record<Role, Principal>;
let client: OdooClient;
let ftp: StorageTarget;
let projectId: string;
/** The folder the admin allows on the new server; the client's Odoo data folder is inside it. */
let allowedRoot: string;
const pages = {} as Record<"admin" | "operator", Page>;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals } = await createOrgWithMembers(t.db, "Rules Agency"));
  allowedRoot = fs.mkdtempSync(path.join(ENVIRONMENTS_ROOT, "rules-"));
  client = await createOdooClient(path.join(allowedRoot, "odoo"));
  ftp = await startFtpStorage();
  await createStorageLocation(t.db, plugins, principals.owner, { name: "Offsite FTP", provider: "ftp", config: ftp.config, isDefault: true });
  projectId = (await createProject(t.db, principals.owner, { name: "Tailspin Toys", description: "" })).id;
  app = await startTestConsole(t, "rules");
  browser = await launchBrowser();
  for (const role of ["admin", "operator"] as const) {
    pages[role] = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(pages[role], app.url, principals[role].label, TEST_PASSWORD);
  }
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await ftp?.stop();
  await client?.drop();
  await t?.drop();
  if (allowedRoot) fs.rmSync(allowedRoot, { recursive: true, force: true });
});

describe("server rules: admins decide what environments may touch, operators work within them", () => {
  it("an admin adds a server with its own allowed folder, a database pattern and a pg_dump program", async () => {
    const page = pages.admin;
    await page.goto(`${app.url}/servers`);
    await page.getByRole("button", { name: "Add server" }).click();
    const dialog = page.getByRole("dialog", { name: "Add server" });
    await dialog.getByLabel("Kind").selectOption("local");
    await dialog.getByLabel("Name", { exact: true }).fill("Client host");
    // A new server starts with Odoo's usual folders.
    await expect(dialog.getByLabel("Allowed folder 1").inputValue()).resolves.toBe("/var/lib/odoo");
    await expect(dialog.getByLabel("Allowed folder 2").inputValue()).resolves.toBe("/opt/odoo");
    await dialog.getByRole("button", { name: "Remove folder 2" }).click();
    // A system folder is refused, at its row.
    await dialog.getByLabel("Allowed folder 1").fill("/etc/odoo");
    await dialog.getByLabel("Database names (optional)").fill("client_*");
    await dialog.getByRole("button", { name: "Add program" }).click();
    await dialog.getByLabel("Name of program 1").fill("pg_dump");
    await dialog.getByLabel("Path of program 1").fill(PACED_PG_DUMP);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByText("/etc/odoo is inside the system folder /etc").waitFor();
    await screenshotOf(dialog, "rules-01-server-system-folder");

    await dialog.getByLabel("Allowed folder 1").fill(allowedRoot);
    // Compressing on the server is the default; this admin keeps the work off the client's machine.
    const compress = dialog.getByRole("switch", { name: "Compress on the server" });
    expect(await compress.getAttribute("aria-checked")).toBe("true");
    await compress.click();
    expect(await compress.getAttribute("aria-checked")).toBe("false");
    await screenshotOf(dialog, "rules-02-server-form");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Client host/ });
    await row.getByText(allowedRoot).waitFor();
    await row.getByText("client_*").waitFor();
    await row.getByText("pg_dump", { exact: true }).waitFor();
    await row.getByText("on the console").waitFor();
    await screenshot(page, "rules-03-servers");
    const [server] = await t.sql`select allowed_roots, database_pattern, programs, compress_on from servers where name = 'Client host'`;
    expect(server).toMatchObject({ allowed_roots: [allowedRoot], database_pattern: "client_*", programs: { pg_dump: PACED_PG_DUMP }, compress_on: "worker" });
  });

  it("an operator's environment keeps its data folder inside the server's allowed folders", async () => {
    const page = pages.operator;
    await page.goto(`${app.url}/projects/${projectId}`);
    await page.getByRole("button", { name: "Add environment" }).click();
    const dialog = page.getByRole("dialog", { name: "Add environment" });
    await dialog.getByLabel("Name", { exact: true }).fill("production");
    await dialog.getByLabel("Server", { exact: true }).selectOption({ label: "Client host" });
    await dialog.getByLabel("Source", { exact: true }).selectOption("odoo");
    // Under the server: what it allows, so the operator knows before saving.
    await dialog.getByText(`Client host allows data folders inside ${allowedRoot}; databases matching client_*`).waitFor();
    await dialog.getByLabel("Host", { exact: true }).fill(client.host);
    await dialog.getByLabel(/^Port/).fill(String(client.port));
    await dialog.getByLabel("User", { exact: true }).fill(client.user);
    await dialog.getByLabel(/^Password/).fill(client.password);
    await dialog.getByLabel("Database", { exact: true }).fill(client.database);
    const outside = path.join(ENVIRONMENTS_ROOT, "elsewhere", "odoo");
    await dialog.getByLabel("Odoo data folder", { exact: true }).fill(outside);
    await dialog.getByRole("button", { name: "Create environment" }).click();
    const error = dialog.locator('[data-field-error="environment-config-dataDir"]');
    await error.getByText(`${outside} is outside the folders allowed on server "Client host"`).waitFor();
    await screenshotOf(dialog, "rules-04-environment-outside");

    await dialog.getByLabel("Odoo data folder", { exact: true }).fill(client.dataDir);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText(/pg_dump .* is available/).waitFor({ timeout: 30_000 });
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "production" }).waitFor();
  });

  it("an admin moving a storage location to another folder types its password again", async () => {
    const page = pages.admin;
    await page.goto(`${app.url}/settings/storage`);
    await page.getByRole("row", { name: /Offsite FTP/ }).getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit storage location" });
    const moved = `${String(ftp.config.path).replace(/\/backups$/, "")}/moved`;
    await dialog.getByLabel("Folder", { exact: true }).fill(moved);
    // Said before saving, and refused when saved anyway: a saved password goes only where it was saved for.
    await dialog.getByText("Folder changed: type the password again").waitFor();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.locator('[data-field-error="storage-config-password"]').getByText("Type the password again: Folder changed").waitFor();
    await screenshotOf(dialog, "rules-05-storage-retype");

    await dialog.getByLabel(/^Password/).fill(String(ftp.config.password));
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Offsite FTP/ });
    await row.getByText(moved).waitFor();
    await row.getByRole("button", { name: "Test" }).click();
    await page.getByRole("status").getByText(new RegExp(`^${moved.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} on .* is writable`)).waitFor({ timeout: 30_000 });
  });

  it("an operator tests a saved server from the list, with no way to edit it", async () => {
    const page = pages.operator;
    await page.goto(`${app.url}/servers`);
    const row = page.getByRole("row", { name: /Client host/ });
    await row.getByText(allowedRoot).waitFor();
    expect(await page.getByRole("button", { name: "Add server" }).count()).toBe(0);
    expect(await row.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await row.getByRole("button", { name: "Delete" }).count()).toBe(0);
    await row.getByRole("button", { name: "Test" }).click();
    await page.getByRole("status").getByText("is reachable").waitFor({ timeout: 30_000 });
    await screenshot(page, "rules-06-operator-servers");
  });
});
