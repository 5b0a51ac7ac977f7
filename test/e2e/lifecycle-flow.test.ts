import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { eq } from "drizzle-orm";
import { activityLog, backups } from "@/server/db/schema";
import { listBackups } from "@/server/services/backups";
import { listDestructions } from "@/server/services/destructions";
import { listRestores } from "@/server/services/restores";
import { createBackupSetup, listFiles } from "../helpers/backup-env";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, databaseExists, odooState, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let members: Record<"owner" | "admin" | "operator" | "viewer", Principal>;
let client: OdooClient;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let environmentId: string;
/** The environment the final backup was restored into. */
let restoredId: string;
const plugins = builtinPluginHost();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: members } = await createOrgWithMembers(t.db, "Lifecycle Browser"));
  setup = await createBackupSetup(t.db, plugins, members.owner);
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "production")).id;
  app = await startTestConsole(t, "lifecycle");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
}, 180_000);

afterAll(() => closeAll(browser, app, client, t));

describe("the environment lifecycle in the console", () => {
  it("destroys an environment, restores its final backup into a new environment, and purges the archived one", async () => {
    const original = await odooState(client);
    await signIn(page, app.url, members.admin.label, TEST_PASSWORD);
    const environmentUrl = `${app.url}/projects/${setup.project.id}/environments/${environmentId}`;
    await page.goto(environmentUrl);

    // Destroy: the keep choice, and the name typed before the button unlocks.
    await page.getByRole("button", { name: "Destroy", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Destroy environment" });
    await dialog.getByText("90 days", { exact: true }).click();
    const destroy = dialog.getByRole("button", { name: "Destroy environment" });
    await dialog.getByLabel("Type “production” to confirm").fill("Production");
    expect(await destroy.isDisabled()).toBe(true);
    await dialog.getByLabel("Type “production” to confirm").fill("production");
    await screenshotOf(dialog, "lifecycle-01-destroy-confirm");
    await destroy.click();

    const progress = page.getByRole("dialog", { name: "Destroying environment" });
    await progress.getByText("Destroyed and archived").waitFor({ timeout: 120_000 });
    await screenshotOf(progress, "lifecycle-02-destroyed");
    const [destruction] = await listDestructions(t.db, members.owner, { environmentId });
    expect(destruction).toMatchObject({ status: "completed", keepBackups: "90_days" });
    expect(await databaseExists(client.database)).toBe(false);
    expect(fs.existsSync(client.filestore())).toBe(false);
    await progress.getByRole("button", { name: "Close" }).last().click();

    // The archived environment: what happened, how long its backups stay, no more backups; its final backup restores.
    await page.getByText(/^Destroyed and archived on /).waitFor();
    expect(await page.getByRole("button", { name: "Create Backup" }).count()).toBe(0);
    await page.getByText("Final backup before destroying the environment").first().waitFor();
    await screenshot(page, "lifecycle-03-archived-environment");

    await page.getByRole("button", { name: "Restore", exact: true }).first().click();
    const wizard = page.getByRole("dialog", { name: "Restore backup" });
    expect(await wizard.getByText("Original environment", { exact: true }).count()).toBe(0);
    await wizard.getByText("New environment", { exact: true }).click();
    await wizard.getByLabel("Name", { exact: true }).fill("production again");
    // The destroyed database's name is free again.
    await wizard.getByLabel("Database").fill(client.database);
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByRole("button", { name: "Restore backup" }).click();
    const restoring = page.getByRole("dialog", { name: "Restoring backup" });
    await restoring.getByText("Restore completed").waitFor({ timeout: 120_000 });
    await screenshot(page, "lifecycle-04-restored-from-archive");
    const [restore] = (await listRestores(t.db, members.owner, { limit: 5, environmentId })).items;
    expect(restore).toMatchObject({ status: "completed", target: "new_environment", targetEnvironmentName: "production again" });
    restoredId = restore!.targetEnvironmentId!;
    expect((await odooState(client)).files).toEqual(original.files);
    await restoring.getByRole("button", { name: "Close" }).last().click();

    // The project lists active environments; the archived one is one click away.
    await page.goto(`${app.url}/projects/${setup.project.id}`);
    await page.getByRole("link", { name: "production again" }).waitFor();
    expect(await page.getByRole("link", { name: "production", exact: true }).count()).toBe(0);
    await page.getByRole("group", { name: "Which environments" }).getByRole("button", { name: "Archived" }).click();
    await page.getByRole("link", { name: "production", exact: true }).waitFor();
    await screenshot(page, "lifecycle-05-archived-list");

    // Purge: the backup stays in storage until then, and goes with it.
    const finalId = destruction!.backupId!;
    expect(listFiles(setup.storageDir).filter((f) => f.includes(finalId)).length).toBeGreaterThanOrEqual(3);
    await page.getByRole("link", { name: "production", exact: true }).click();
    await page.getByRole("button", { name: "Purge" }).click();
    const purge = page.getByRole("dialog", { name: "Purge environment" });
    await purge.getByLabel("Type “production” to confirm").fill("production");
    await screenshotOf(purge, "lifecycle-06-purge-confirm");
    await purge.getByRole("button", { name: "Purge environment" }).click();
    await page.waitForURL(`${app.url}/projects/${setup.project.id}`);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(finalId))).toEqual([]);
    await screenshot(page, "lifecycle-07-after-purge");
  });

  it("prepares for an upgrade: a held backup, released by an operator; pins it and edits its notes", async () => {
    await page.context().clearCookies();
    await signIn(page, app.url, members.operator.label, TEST_PASSWORD);
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${restoredId}`);
    // Operators neither destroy nor offboard.
    await page.getByRole("button", { name: "Prepare for upgrade" }).first().waitFor();
    expect(await page.getByRole("button", { name: "Destroy", exact: true }).count()).toBe(0);

    await page.getByRole("button", { name: "Prepare for upgrade" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Prepare for upgrade" });
    await dialog.getByLabel("Name (optional)").fill("Before Odoo 18.0");
    await screenshotOf(dialog, "lifecycle-08-prepare-upgrade");
    await dialog.getByRole("button", { name: "Take pre-upgrade backup" }).click();
    // The backups table comes first; the retention preview lists the same backup further down.
    const row = page.locator("tr", { hasText: "Before Odoo 18.0" }).first();
    await row.getByText("Verified").waitFor({ timeout: 120_000 });
    await row.getByText("Held", { exact: true }).waitFor();
    await screenshot(page, "lifecycle-09-held-backup");

    await row.getByRole("button", { name: "Release" }).click();
    await row.getByText("Held", { exact: true }).waitFor({ state: "detached" });
    await row.getByRole("button", { name: /^Edit backup of/ }).click();
    const edit = page.getByRole("dialog", { name: "Edit backup" });
    await edit.getByLabel("Notes").fill("Upgrade done, client signed off");
    await edit.getByRole("switch", { name: "Pinned" }).click();
    await screenshotOf(edit, "lifecycle-10-edit-backup");
    await edit.getByRole("button", { name: "Save" }).click();
    await row.getByText("Pinned", { exact: true }).waitFor();
    await row.getByText("Upgrade done, client signed off").waitFor();
    await screenshot(page, "lifecycle-11-pinned-released");
  });

  it("refuses a restore across major versions naming both, until an owner types them", async () => {
    // The pre-upgrade backup above, as if taken before an upgrade from 16.0: the environment now runs 17.0.
    const [held] = (await listBackups(t.db, members.owner, { limit: 5, environmentId: restoredId })).items;
    await t.db.update(backups).set({ application: { name: "Odoo", version: "16.0", major: "16" } }).where(eq(backups.id, held!.id));
    await page.context().clearCookies();
    await signIn(page, app.url, members.owner.label, TEST_PASSWORD);
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${restoredId}`);
    await page.getByRole("button", { name: "Restore", exact: true }).first().click();
    const wizard = page.getByRole("dialog", { name: "Restore backup" });
    await wizard.getByText("Original environment", { exact: true }).click();
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByLabel("Type RESTORE to confirm").fill("RESTORE");
    await wizard.getByRole("button", { name: "Restore backup" }).click();
    await wizard.getByText('This backup was taken at Odoo 16.0, but "production again" runs Odoo 17.0 (read from its server)', { exact: false }).waitFor();
    await wizard.getByLabel("Restore across major versions").fill("16.0 to 17.0");
    await screenshotOf(wizard, "lifecycle-12-versions-refused");
    await wizard.getByRole("button", { name: "Restore backup" }).click();
    const restoring = page.getByRole("dialog", { name: "Restoring backup" });
    await restoring.getByText("Restore completed").waitFor({ timeout: 120_000 });
    const logged = (await t.db.select().from(activityLog).where(eq(activityLog.action, "restore.create"))).filter((a) => a.targetId === restoredId).map((a) => a.message);
    expect(logged).toContainEqual(expect.stringContaining("restored across major versions (16.0 to 17.0), confirmed by an owner"));
  });

  it("offboards the client from its project page; the project moves to the archived projects", async () => {
    await page.context().clearCookies();
    await signIn(page, app.url, members.admin.label, TEST_PASSWORD);
    await page.goto(`${app.url}/projects/${setup.project.id}`);
    await page.getByRole("button", { name: "Offboard client" }).click();
    const dialog = page.getByRole("dialog", { name: "Offboard client" });
    await dialog.getByText("Permanently", { exact: true }).click();
    await dialog.getByLabel(`Type “${setup.project.name}” to confirm`).fill(setup.project.name);
    await screenshotOf(dialog, "lifecycle-13-offboard-confirm");
    await dialog.getByRole("button", { name: "Offboard client" }).click();
    const progress = page.getByRole("dialog", { name: "Offboarding client" });
    await progress.getByText("Destroyed and archived").waitFor({ timeout: 120_000 });
    await screenshotOf(progress, "lifecycle-14-offboarded");
    await progress.getByRole("button", { name: "Close" }).last().click();

    await page.getByText("Archived", { exact: true }).first().waitFor();
    await page.getByRole("button", { name: "Purge" }).waitFor();
    expect(await databaseExists(client.database)).toBe(false);
    await page.goto(`${app.url}/projects`);
    await page.getByText("No projects yet").waitFor();
    await page.getByRole("group", { name: "Which projects" }).getByRole("button", { name: "Archived" }).click();
    await page.getByRole("link", { name: setup.project.name }).waitFor();
    await screenshot(page, "lifecycle-15-archived-projects");
  });
});
