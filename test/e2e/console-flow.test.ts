import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserPage, recordResponses, screenshot } from "../helpers/browser";
import { closeAll } from "../helpers/close-all";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { fillTrickyData } from "../helpers/tricky-data";

let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let responses: string[];
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-storage-"));
const owner = { email: "olivia@agency.test", password: "olivia-secret-pw" };
const PACED_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/paced-pg-dump");

beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 2_500_000);
  app = await startTestConsole(t, "console");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
  responses = recordResponses(page);
});

afterAll(() => closeAll(browser, app, t, client));

async function signIn(email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("a newcomer's first session in the console", () => {
  it("sets up the organization, then signs out and in again", async () => {
    await page.goto(app.url);
    await page.waitForURL("**/setup");
    await expect(page.getByRole("heading", { name: "Welcome to Safehold" }).isVisible()).resolves.toBe(true);
    await page.getByRole("button", { name: "Create organization and sign in" }).click();
    await page.getByText("Name your organization").waitFor();
    await screenshot(page, "01-setup-validation");

    await page.getByLabel("Organization").fill("Northwind Agency");
    await page.getByLabel("Your name").fill("Olivia");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Create organization and sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await screenshot(page, "02-dashboard-empty");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin**");
    await signIn(owner.email, "not-the-password");
    await page.getByText("Wrong email or password").waitFor();
    await screenshot(page, "03-signin-error");
    await signIn(owner.email, owner.password);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByText("Northwind Agency").first().isVisible()).toBe(true);
  });

  it("adds a storage location, tested before saving", async () => {
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL("**/settings/backups");
    await page.getByRole("link", { name: "Storage", exact: true }).click();
    await page.waitForURL("**/settings/storage");
    await page.getByRole("button", { name: "Add storage location" }).click();
    const dialog = page.getByRole("dialog", { name: "Add storage location" });
    await dialog.getByLabel("Provider", { exact: true }).selectOption("local");
    await dialog.getByLabel("Name", { exact: true }).fill("Backups disk");
    await dialog.getByLabel("Folder").fill(path.join(storageDir, "backups"));
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText("is writable").waitFor();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: /Backups disk/ }).waitFor();
    await screenshot(page, "04-settings-storage");
  });

  it("adds this host as a server, with the pg_dump it runs", async () => {
    await page.getByRole("link", { name: "Servers" }).click();
    await page.getByRole("button", { name: "Add server" }).click();
    const dialog = page.getByRole("dialog", { name: "Add server" });
    await dialog.getByLabel("Kind").selectOption("local");
    await dialog.getByLabel("Name", { exact: true }).fill("This host");
    // A new server starts with Odoo's usual folders allowed.
    await expect(dialog.getByLabel("Allowed folder 1").inputValue()).resolves.toBe("/var/lib/odoo");
    // A pg_dump that pauses after its first megabyte: the backup below is slow enough to be watched.
    // Which program runs is the server's business (an admin's), never an environment's.
    await dialog.getByRole("button", { name: "Add program" }).click();
    await dialog.getByLabel("Name of program 1").fill("pg_dump");
    await dialog.getByLabel("Path of program 1").fill(PACED_PG_DUMP);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText("is reachable").waitFor();
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("cell", { name: /This host/ }).waitFor();
    await page.getByRole("row", { name: /This host/ }).getByText("pg_dump", { exact: true }).waitFor();
    await screenshot(page, "05-servers");
  });

  it("creates a project and a PostgreSQL environment whose connection is tested", async () => {
    await page.getByRole("link", { name: "Projects" }).click();
    await page.getByRole("button", { name: "New project" }).click();
    const projectDialog = page.getByRole("dialog", { name: "New project" });
    await projectDialog.getByLabel("Name", { exact: true }).fill("Contoso Ltd");
    await projectDialog.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("heading", { name: "Contoso Ltd" }).waitFor();

    await page.getByRole("button", { name: "Add environment" }).click();
    const dialog = page.getByRole("dialog", { name: "Add environment" });
    await dialog.getByLabel("Name", { exact: true }).fill("production");
    await dialog.getByLabel("Stage").selectOption("production");
    await dialog.getByLabel("Source").selectOption("postgres");
    await dialog.getByLabel("Host").fill(client.host);
    await dialog.getByLabel("Port").fill(String(client.port));
    await dialog.getByLabel("User").fill(client.user);
    await dialog.getByLabel("Password (optional)").fill("a-wrong-password");
    await dialog.getByLabel("Database").fill(client.database);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("alert").getByText(`Authentication failed for user "${client.user}": wrong password`).waitFor();
    await screenshot(page, "06-environment-wrong-password");

    await dialog.getByLabel("Password (optional)").fill(client.password);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText(/Connected to PostgreSQL 15\.\d+, database/).waitFor();
    await screenshot(page, "07-environment-connected");
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "production" }).click();
    await page.getByRole("heading", { name: "production" }).waitFor();
    await page.getByRole("button", { name: "Test connection" }).first().click();
    await page.getByRole("status").getByText(/Connected to PostgreSQL/).waitFor();
    await page.getByRole("link", { name: "Settings" }).last().click();
    await page.getByText("Source settings").waitFor();
    await screenshot(page, "08-environment-settings");
  });

  it("takes a backup from the environment's Backup Management tab and watches it complete, verified", async () => {
    await page.getByRole("link", { name: "Backup Management" }).click();
    await page.getByText("No backups of this environment yet").waitFor();
    await page.getByRole("button", { name: "Create Backup" }).click();
    const dialog = page.getByRole("dialog", { name: "Create backup" });
    await dialog.getByLabel("Name (optional)").fill("Before the upgrade");
    await dialog.getByLabel("Notes (optional)").fill("Odoo 17 → 18, ticket #4411");
    // The org default is preselected once the locations have loaded.
    await expect.poll(() => dialog.getByLabel("Storage location").inputValue()).not.toBe("");
    await dialog.getByLabel("Retention period").selectOption("weekly");
    await dialog.getByRole("button", { name: "Create backup" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Before the upgrade/ });
    await row.getByText(/dumping the database · \d/).waitFor({ timeout: 30_000 });
    await screenshot(page, "09-backup-in-progress");
    await row.getByText("Verified").waitFor({ timeout: 120_000 });
    await row.getByText("Completed").waitFor();
    await screenshot(page, "10-backup-completed");
  });

  it("shows a failing environment's backup failure in red, with its message", async () => {
    await page.getByRole("link", { name: "Contoso Ltd" }).click();
    await page.getByRole("button", { name: "Add environment" }).click();
    const dialog = page.getByRole("dialog", { name: "Add environment" });
    await dialog.getByLabel("Name", { exact: true }).fill("staging");
    await dialog.getByLabel("Stage").selectOption("staging");
    await dialog.getByLabel("Source").selectOption("postgres");
    await dialog.getByLabel("Host").fill(client.host);
    await dialog.getByLabel("Port").fill(String(client.port));
    await dialog.getByLabel("User").fill(client.user);
    await dialog.getByLabel("Password (optional)").fill("stale-password");
    await dialog.getByLabel("Database").fill(client.database);
    await dialog.getByRole("button", { name: "Create environment" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "staging" }).click();
    await page.getByRole("button", { name: "Create Backup" }).click();
    await page.getByRole("dialog", { name: "Create backup" }).getByRole("button", { name: "Create backup" }).click();
    const message = page.getByText(`Authentication failed for user "${client.user}": wrong password`);
    // The failure shows in the environment's health summary and in its backups table: the table's line is red.
    await message.first().waitFor({ timeout: 30_000 });
    expect(await message.evaluateAll((els) => els.some((el) => el.className.includes("text-red-600")))).toBe(true);
    await page.getByText("Failed", { exact: true }).waitFor();
    await screenshot(page, "11-backup-failed");
  });

  it("shows those actions in the activity log, the failed test in red", async () => {
    await page.getByRole("link", { name: "Activity" }).click();
    await page.getByRole("heading", { name: "Activity" }).waitFor();
    const table = page.getByRole("table");
    for (const text of ["Backups disk", "This host", "Contoso Ltd", "Contoso Ltd / production"]) {
      await table.getByText(text, { exact: true }).first().waitFor();
    }
    // The failed connection test and the failed backup are both there.
    await table.getByRole("row", { name: /Backup · fail/ }).waitFor();
    const failure = table.getByRole("row", { name: /Environment · test/ }).getByText(`Authentication failed for user "${client.user}": wrong password`);
    await failure.waitFor();
    // Rendered in the theme's red, the same colour as Tailwind's text-red-700.
    const [color, red] = await failure.evaluate((el) => {
      const probe = document.createElement("span");
      probe.className = "text-red-700";
      document.body.append(probe);
      const result = [getComputedStyle(el).color, getComputedStyle(probe).color];
      probe.remove();
      return result;
    });
    expect(color).toBe(red);
    await screenshot(page, "12-activity");
  });

  it("lists the plugins, members and API tokens pages", async () => {
    await page.getByRole("link", { name: "Plugins" }).click();
    for (const id of ["server-local", "source-postgres", "storage-local"]) await page.getByText(`${id} · v1.0.0`).waitFor();
    await screenshot(page, "13-plugins");
    await page.goto(`${app.url}/settings/members`);
    await page.getByRole("cell", { name: new RegExp(owner.email) }).first().waitFor();
    await screenshot(page, "14-members");
    await page.goto(`${app.url}/settings/api-tokens`);
    await page.getByRole("button", { name: "Create token" }).first().click();
    const create = page.getByRole("dialog", { name: "Create token" });
    await create.getByLabel("Name", { exact: true }).fill("Monitoring");
    await create.getByRole("button", { name: "Create token" }).click();
    const created = page.getByRole("dialog", { name: "Token created" });
    const token = await created.getByLabel("Token").inputValue();
    expect(token).toMatch(/^shk_/);
    await screenshot(page, "15-api-token-created");
    await created.getByRole("button", { name: "Done" }).click();
    await page.getByRole("cell", { name: "Monitoring" }).waitFor();
    await screenshot(page, "16-api-tokens");
    const viaToken = await fetch(`${app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(await viaToken.json()).toMatchObject({ items: [{ name: "Contoso Ltd", environmentCount: 2 }] });
    await page.goto(`${app.url}/backups`);
    await page.getByRole("row", { name: /Before the upgrade/ }).getByText("Verified").waitFor();
    await page.getByRole("navigation", { name: "Status" }).getByRole("link", { name: /^Failed/ }).click();
    await page.waitForURL(/status=failed/);
    // The failed row was on the unfiltered page too: the filtered page has arrived once the completed one is gone.
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor({ state: "detached" });
    await page.getByRole("row", { name: /staging/ }).getByText("Failed", { exact: true }).waitFor();
    await screenshot(page, "17-backups-failed-filter");
    await page.goto(app.url);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await screenshot(page, "18-dashboard");
  });

  it("never sent the stored database password to the browser", async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(responses.length).toBeGreaterThan(20);
    for (const body of responses) expect(body).not.toContain(client.password);
    const [row] = await t.sql`select source_secrets from environments`;
    expect(row!.source_secrets).not.toContain(client.password);
  });
});
