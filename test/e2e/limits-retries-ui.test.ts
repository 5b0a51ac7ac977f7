import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupPolicies, servers, type Role } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createProject } from "@/server/services/projects";
import { createStorageLocation } from "@/server/services/storage-locations";
import { ENVIRONMENTS_ROOT, createPostgresEnvironment, waitForBackup } from "../helpers/backup-env";
import { screenshot, screenshotOf, signedInPage } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";

const PACED_PG_DUMP = path.resolve(import.meta.dirname, "../fixtures/bin/paced-pg-dump");
const plugins = builtinPluginHost();

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let principals: Record<Role, Principal>;
let client: Awaited<ReturnType<typeof createClientDatabase>>;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals } = await createOrgWithMembers(t.db, "Limits Agency"));
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 200_000);
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-storage-"));
  await createStorageLocation(t.db, plugins, principals.owner, { name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true });
  app = await startTestConsole(t, "limits");
  ({ browser, page } = await signedInPage(app.url, principals.admin.label, TEST_PASSWORD));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await client?.drop();
  await t?.drop();
});

describe("per-server limits and retries in the console", () => {
  it("an admin limits a server to one operation at a time, and a second backup on it shows that it waits for capacity", async () => {
    await page.goto(`${app.url}/servers`);
    await page.getByRole("button", { name: "Add server" }).click();
    const dialog = page.getByRole("dialog", { name: "Add server" });
    await dialog.getByLabel("Kind").selectOption("local");
    await dialog.getByLabel("Name", { exact: true }).fill("Client host");
    await expect(dialog.getByLabel("Operations at a time").inputValue()).resolves.toBe("2");
    await dialog.getByLabel("Allowed folder 1").fill(ENVIRONMENTS_ROOT);
    await dialog.getByRole("button", { name: "Remove folder 2" }).click();
    await dialog.getByRole("button", { name: "Add program" }).click();
    await dialog.getByLabel("Name of program 1").fill("pg_dump");
    await dialog.getByLabel("Path of program 1").fill(PACED_PG_DUMP);
    // Out of range: said at the field.
    await dialog.getByLabel("Operations at a time").fill("0");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByText("Allow at least 1 operation at a time").waitFor();
    await screenshotOf(dialog, "limits-00-server-form-limit");
    await dialog.getByLabel("Operations at a time").fill("1");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("At most 1 operation at a time").waitFor();
    await screenshot(page, "limits-01-servers-page");
    const [server] = await t.db.select().from(servers).where(eq(servers.name, "Client host"));
    expect(server!.maxConcurrentOperations).toBe(1);

    const project = await createProject(t.db, principals.owner, { name: "Northwind", description: "" });
    const setup = { project, server: server! };
    const [first, second] = await Promise.all(["production", "staging"].map((name) => createPostgresEnvironment(t.db, plugins, principals.owner, setup, client, name)));
    const running = await createBackup(t.db, principals.owner, { environmentId: first!.id, name: "", notes: "", includeFilestore: true, retention: "daily" });
    const waiting = await createBackup(t.db, principals.owner, { environmentId: second!.id, name: "", notes: "", includeFilestore: true, retention: "daily" });

    await page.goto(`${app.url}/backups`);
    await page.getByText("Waiting for server capacity").first().waitFor({ timeout: 30_000 });
    await screenshot(page, "limits-02-backup-waiting-for-capacity");
    for (const b of [running, waiting]) expect(await waitForBackup(t.db, principals.owner, b.id)).toMatchObject({ status: "completed" });
  }, 180_000);

  it("an admin sets how often a failed scheduled backup is tried again, and sees the schedule it makes", async () => {
    await page.goto(`${app.url}/settings/backups`);
    const attempts = page.getByLabel("Attempts", { exact: true });
    await expect(attempts.inputValue()).resolves.toBe("3");
    await page.getByText("3 attempts: retried after 40 min, then 80 min").waitFor();
    await attempts.fill("4");
    await page.getByLabel("Within (minutes)").fill("210");
    await page.getByText("4 attempts: retried after 30 min, then 60 min, then 2 h").waitFor();
    await screenshotOf(page.locator("section").filter({ has: page.getByRole("heading", { name: "Retries", exact: true }) }).last(), "limits-03-retries-editor");
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Default policy saved.").waitFor();
    const [row] = await t.db.select({ retries: backupPolicies.retries }).from(backupPolicies);
    expect(row!.retries).toEqual({ attempts: 4, withinMinutes: 210 });
  }, 60_000);
});
