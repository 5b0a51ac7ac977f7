import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups } from "@/server/db/schema";
import { getOrgPolicy } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { listRestores } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { screenshotOf, signedInPage } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

/**
 * The restore wizard's safe defaults and the warning about failure alerts, in a browser: nothing pre-selected, a
 * cross-client restore confirmed by name, RESTORE typed only where data is replaced; "Failures reach no one" on the
 * policy page until a channel hears of failures. The backup is a catalog row: the wizard only needs it listed.
 */
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let globexId: string;
let environmentId: string;
const plugins = builtinPluginHost();
const source = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "acme" };

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Safe Restores"));
  setup = await createBackupSetup(t.db, plugins, owner);
  globexId = (await createProject(t.db, owner, { name: "Globex", description: "" })).id;
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, source, "production")).id;
  await t.db.insert(backups).values({
    orgId: owner.orgId,
    projectId: setup.project.id,
    environmentId,
    storageLocationId: setup.storage.id,
    type: "manual",
    status: "completed",
    name: "Before the upgrade",
    retentionClass: "monthly",
    verified: true,
    sizeBytes: 1_048_576,
    startedAt: new Date(Date.now() - 60_000),
    finishedAt: new Date(),
  });
  app = await startTestConsole(t, "safety");
  ({ browser, page } = await signedInPage(app.url, owner.label, TEST_PASSWORD));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
});

async function openWizard(): Promise<Locator> {
  await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
  await page.getByRole("button", { name: "Restore", exact: true }).first().click();
  const wizard = page.getByRole("dialog", { name: "Restore backup" });
  await wizard.getByRole("group", { name: "Choose where to restore" }).waitFor();
  return wizard;
}

const acme = () => setup.project.name;

describe("the restore wizard's safe defaults", () => {
  it("pre-selects no target and explains why Next waits", async () => {
    const wizard = await openWizard();
    expect(await wizard.getByRole("radio", { checked: true }).count()).toBe(0);
    expect(await wizard.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await wizard.getByText("Choose a target to continue").waitFor();
    await screenshotOf(wizard, "restore-safety-01-nothing-chosen-1280");
    await wizard.getByRole("button", { name: "Cancel" }).click();
  });

  it("asks to confirm another client's project by name, and no RESTORE for a new environment", async () => {
    const wizard = await openWizard();
    await wizard.getByText("New environment", { exact: true }).click();
    const next = wizard.getByRole("button", { name: "Next" });
    // Its own client first: no confirmation.
    expect(await wizard.locator("[data-cross-client]").count()).toBe(0);
    await wizard.getByLabel("Project").selectOption({ label: "Globex" });
    const words = `Restore ${acme()}'s data into Globex's project`;
    const confirmation = wizard.getByLabel(words);
    await confirmation.waitFor();
    expect(await next.isDisabled()).toBe(true);
    await wizard.getByText("Confirm the restore into Globex's project to continue").waitFor();
    await wizard.getByLabel("Name", { exact: true }).fill("acme data for globex");
    await screenshotOf(wizard, "restore-safety-02-cross-client-1280");
    await confirmation.check();
    expect(await next.isDisabled()).toBe(false);
    await next.click();
    await wizard.getByText("it has no data to save first").waitFor();
    await next.click();

    await wizard.getByText("no existing data is replaced").waitFor();
    await wizard.getByText(`Another client: ${words} (confirmed)`).waitFor();
    expect(await wizard.getByLabel("Type RESTORE to confirm").count()).toBe(0);
    expect(await wizard.getByText("replaces all current data").count()).toBe(0);
    await screenshotOf(wizard, "restore-safety-03-confirm-new-1280");
    await wizard.getByRole("button", { name: "Restore backup" }).click();
    await page.getByRole("dialog", { name: "Restoring backup" }).waitFor();
    const [restore] = (await listRestores(t.db, owner, { limit: 5, environmentId })).items;
    expect(restore).toMatchObject({ target: "new_environment", targetProjectId: globexId, targetEnvironmentName: "acme data for globex" });
    await page.getByRole("dialog", { name: "Restoring backup" }).getByRole("button", { name: "Close" }).last().click();
  });

  it("asks for RESTORE under the warning when the original's data is replaced", async () => {
    const wizard = await openWizard();
    await wizard.getByText("Original environment", { exact: true }).click();
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByRole("button", { name: "Next" }).click();
    await wizard.getByText("replaces all current data of production").waitFor();
    const restoreButton = wizard.getByRole("button", { name: "Restore backup" });
    expect(await restoreButton.isDisabled()).toBe(true);
    await wizard.getByLabel("Type RESTORE to confirm").fill("RESTORE");
    expect(await restoreButton.isDisabled()).toBe(false);
    await screenshotOf(wizard, "restore-safety-04-confirm-existing-1280");
    await wizard.getByRole("button", { name: "Cancel" }).click();
  });

  for (const [width, height] of [
    [1440, 900],
    [390, 844],
  ] as const) {
    it(`shows the same steps at ${width} px`, async () => {
      await page.setViewportSize({ width, height });
      try {
        const wizard = await openWizard();
        await screenshotOf(wizard, `restore-safety-05-nothing-chosen-${width}`);
        await wizard.getByText("New environment", { exact: true }).click();
        await wizard.getByLabel("Project").selectOption({ label: "Globex" });
        await wizard.getByLabel(`Restore ${acme()}'s data into Globex's project`).check();
        await screenshotOf(wizard, `restore-safety-06-cross-client-${width}`);
        await wizard.getByRole("button", { name: "Next" }).click();
        await wizard.getByRole("button", { name: "Next" }).click();
        await wizard.getByText("no existing data is replaced").waitFor();
        await screenshotOf(wizard, `restore-safety-07-confirm-new-${width}`);
        await wizard.getByRole("button", { name: "Cancel" }).click();
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });
  }
});

describe("failure alerts that reach no one", () => {
  it("warns on the policy page until a new channel is made the default for failures", async () => {
    await page.goto(`${app.url}/settings/backups`);
    const warning = page.locator("[data-failures-reach-no-one]");
    await warning.getByText("Failures reach no one").waitFor();
    await warning.getByText("names no notification channel").waitFor();
    await screenshotOf(warning, "restore-safety-08-failures-reach-no-one");

    await warning.getByRole("link", { name: "Add a channel for failures" }).click();
    await page.waitForURL("**/settings/notifications");
    await page.getByRole("button", { name: "Add channel" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add notification channel" });
    await dialog.getByLabel("Name", { exact: true }).fill("On-call hook");
    await dialog.getByLabel("Notifier").selectOption({ label: "Webhook" });
    await dialog.getByLabel(/^URL/).fill("http://127.0.0.1:9/hook");
    const forFailures = dialog.getByLabel("Send failed backups here by default");
    // Ticked by default: no channel hears of failures yet.
    await expect.poll(() => forFailures.isChecked()).toBe(true);
    await screenshotOf(dialog, "restore-safety-09-new-channel-for-failures");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });

    await page.goto(`${app.url}/settings/backups`);
    await page.getByRole("heading", { name: "Default backup policy" }).waitFor();
    await page.getByLabel("On-call hook").waitFor();
    expect(await page.getByLabel("On-call hook").isChecked()).toBe(true);
    // Every query answered: the warning had its chance to show.
    await page.waitForLoadState("networkidle");
    expect(await warning.count()).toBe(0);
    expect((await getOrgPolicy(t.db, owner)).notifyOnFailure).toBe(true);
  });
});
