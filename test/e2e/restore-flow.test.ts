import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { listRestores } from "@/server/services/restores";
import { createBackupSetup, waitForBackup } from "../helpers/backup-env";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { configParameter, createOdooClient, createOdooEnvironment, odooState, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let client: OdooClient;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let environmentId: string;
const plugins = builtinPluginHost();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Wizard Agency"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, client)).id;
  // The console runs its own worker: it takes the backup, then the restore.
  app = await startTestConsole(t, "restore");
  const backup = await createBackup(t.db, owner, { environmentId, name: "Before the upgrade", notes: "", includeFilestore: true, retention: "monthly" });
  expect(await waitForBackup(t.db, owner, backup.id)).toMatchObject({ status: "completed", verified: true });
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, client, t));

describe("the restore wizard", () => {
  it("restores a backup into a new environment, with no RESTORE to type: nothing existing is replaced", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);

    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await page.getByRole("button", { name: "Restore", exact: true }).first().click();
    const dialog = page.getByRole("dialog", { name: "Restore backup" });
    await dialog.getByText("New environment", { exact: true }).click();
    await dialog.getByLabel("Name", { exact: true }).fill("staging copy");
    await dialog.getByLabel("Database").fill(`${client.database}_staging`);
    // Beside the original, on its server, with its host, port and user: the original's password is reused.
    await dialog.getByText("and so is its password").waitFor();
    await dialog.locator("[data-server-rules]").getByText(setup.server.name).waitFor();
    await screenshotOf(dialog, "restore-01-target");
    // The same PostgreSQL by another name is another destination: the password does not follow without being typed.
    await dialog.getByText(/^Other settings/).click();
    await dialog.getByLabel("Host", { exact: true }).fill("localhost");
    await dialog.getByText("but not its password: Host changed").waitFor();
    await screenshotOf(dialog, "restore-01b-host-changed");
    await dialog.getByRole("button", { name: "Next" }).click();
    await expect(dialog.getByLabel("Neutralize").isChecked()).resolves.toBe(true);
    await screenshot(page, "restore-02-options");
    await dialog.getByRole("button", { name: "Next" }).click();

    const restoreButton = dialog.getByRole("button", { name: "Restore backup" });
    await dialog.getByText("no existing data is replaced").waitFor();
    expect(await dialog.getByLabel("Type RESTORE to confirm").count()).toBe(0);
    expect(await restoreButton.isDisabled()).toBe(false);
    await screenshot(page, "restore-03-confirm");
    await restoreButton.click();
    // Refused: the wizard goes back to the target, the error at the password of the new environment.
    const passwordError = dialog.locator('[data-field-error="restore-new-config-password"]');
    await passwordError.getByText("Type the password again: Host changed").waitFor();
    await screenshotOf(dialog, "restore-04-password-again");
    await dialog.getByLabel(/^Password/).fill(client.password);
    await dialog.getByRole("button", { name: "Next" }).click();
    await dialog.getByRole("button", { name: "Next" }).click();
    await restoreButton.click();

    const progress = page.getByRole("dialog", { name: "Restoring backup" });
    await progress.getByText("Restore completed").waitFor({ timeout: 120_000 });
    await screenshot(page, "restore-05-completed");

    const restores = await listRestores(t.db, owner, { limit: 10, environmentId });
    expect(restores.items[0]).toMatchObject({ status: "completed", target: "new_environment", neutralize: true, targetEnvironmentName: "staging copy" });
    const copy = await odooState(client, `${client.database}_staging`);
    expect(copy.files).toEqual((await odooState(client)).files);
    expect(await configParameter(client.url(`${client.database}_staging`), "database.is_neutralized")).toBe("true");

    await progress.getByRole("button", { name: "Close" }).last().click();
    await page.getByText("Restores", { exact: true }).first().waitFor();
    await screenshot(page, "restore-06-history");
  });
});
