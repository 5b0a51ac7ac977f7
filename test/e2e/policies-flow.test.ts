import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { getEffectivePolicy, getOrgPolicy, getOverride } from "@/server/services/backup-policies";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { browserPage, policyCard, policyFieldRow, screenshot, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let principals: Awaited<ReturnType<typeof createOrgWithMembers>>["principals"];
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let productionId: string;
let stagingId: string;
const plugins = builtinPluginHost();
// The policies under test never come due while it runs: the environments need no reachable database.
const source = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" };

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals } = await createOrgWithMembers(t.db, "Policy Agency"));
  owner = principals.owner;
  setup = await createBackupSetup(t.db, plugins, owner);
  productionId = (await createPostgresEnvironment(t.db, plugins, owner, setup, source, "production")).id;
  stagingId = (await createPostgresEnvironment(t.db, plugins, owner, setup, source, "staging")).id;
  app = await startTestConsole(t, "policies");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, t));

const card = () => policyCard(page);
const fieldRow = (name: string) => policyFieldRow(page, name);

async function expectSources(card: Locator, overridden: number, fields = 15) {
  // One row per policy field (restore drills included; how the filestore is stored only while it is backed up).
  await expect.poll(() => card.getByText("Inherited from organization", { exact: true }).count()).toBe(fields - overridden);
  expect(await card.getByText("Overridden", { exact: true }).count()).toBe(overridden);
}

describe("backup policies in the console", () => {
  it("sets the organization default in Settings › Backups, with its next runs", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL("**/settings/backups");
    await page.getByRole("heading", { name: "Default backup policy" }).waitFor();
    await expect(page.getByLabel("Frequency").inputValue()).resolves.toBe("daily");
    await page.getByLabel("Time", { exact: true }).fill("03:30");
    await expect(page.getByLabel("Cron expression").inputValue()).resolves.toBe("30 3 * * *");
    await page.getByLabel("Time zone").fill("Europe/Brussels");
    await page.getByLabel("Keep daily").fill("10");
    await page.getByText("Kept for 10 days").waitFor();
    const nextRuns = page.getByRole("region", { name: "Next runs" });
    await nextRuns.getByText("Europe/Brussels").waitFor();
    await expect.poll(async () => (await nextRuns.getByRole("listitem").allTextContents()).filter((run) => run.includes("03:30")).length).toBe(5);
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Default policy saved").waitFor();
    await screenshot(page, "policies-01-org-default");
    expect(await getOrgPolicy(t.db, owner)).toMatchObject({ schedule: "30 3 * * *", timezone: "Europe/Brussels", retention: { daily: 10 } });

    // A cron typed by hand shows its preset; an invalid one says what is wrong, at the field.
    await page.getByLabel("Cron expression").fill("15 4 * * 1");
    await expect.poll(() => page.getByLabel("Frequency").inputValue()).toBe("weekly");
    await expect(page.getByLabel("Day", { exact: true }).inputValue()).resolves.toBe("1");
    await page.getByLabel("Cron expression").fill("61 * * * *");
    await page.getByText('"61 * * * *" is not a valid cron schedule').waitFor();
    await expect(page.getByLabel("Frequency").inputValue()).resolves.toBe("custom");
    await screenshot(page, "policies-02-invalid-cron");
  });

  it("spreads the starts over a start window, refusing one as long as a day of the schedule, and shows an environment its own start", async () => {
    await page.goto(`${app.url}/settings/backups`);
    await page.getByLabel("Start window", { exact: true }).selectOption("spread");
    await page.getByText("Daily between 03:30 and 07:30").waitFor();
    // Brussels' spring-forward day is 23 hours long: a 24-hour window would overlap the next one.
    await page.getByLabel("Hours", { exact: true }).fill("24");
    await page.getByText("Daily between 03:30 and 03:30 the next day").waitFor();
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Must be shorter than 23 hours, the shortest time between two runs").waitFor();
    await screenshot(page, "policies-02b-window-too-long");
    await page.getByLabel("Hours", { exact: true }).fill("4");
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Default policy saved").waitFor();
    await screenshot(page, "policies-02c-start-window");
    expect(await getOrgPolicy(t.db, owner)).toMatchObject({ schedule: "30 3 * * *", spreadMinutes: 240 });

    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${productionId}`);
    await fieldRow("Start window").getByText("Spread over 4 hours").waitFor();
    await fieldRow("Start window").getByText("Daily between 03:30 and 07:30").waitFor();
    const [next] = (await getEffectivePolicy(t.db, owner, productionId)).policy.nextRuns;
    const own = new Date(next!).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Brussels" });
    await card().getByRole("status", { name: "This environment's start" }).getByText(own).waitFor();
    await screenshot(page, "policies-02d-environment-start");
  });

  it("shows an environment inheriting every field, then overriding its schedule only", async () => {
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${productionId}`);
    await card().waitFor();
    await expectSources(card(), 0);
    await fieldRow("Schedule").getByText("Daily at 03:30").waitFor();

    await fieldRow("Schedule").getByRole("button", { name: "Override" }).click();
    const dialog = page.getByRole("dialog", { name: "Override schedule" });
    await dialog.getByLabel("Frequency").selectOption("weekly");
    await dialog.getByLabel("Day", { exact: true }).selectOption({ label: "Saturday" });
    const runs = dialog.getByRole("region", { name: "Next runs" }).getByRole("listitem");
    await expect.poll(async () => (await runs.allTextContents()).filter((run) => run.startsWith("Sat")).length).toBe(5);
    await screenshot(page, "policies-03-override-dialog");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await dialog.waitFor({ state: "detached" });

    await fieldRow("Schedule").getByText("Weekly on Saturday at 03:30").waitFor();
    await fieldRow("Schedule").getByText("Overridden").waitFor();
    await expectSources(card(), 1);
    await fieldRow("Time zone").getByText("Inherited from organization").waitFor();
    await screenshot(page, "policies-04-environment-override");
    expect(await getOverride(t.db, owner, productionId)).toEqual({ schedule: "30 3 * * 6" });
  });

  it("follows a changed default for the inherited fields and keeps its own schedule, then reverts", async () => {
    await page.goto(`${app.url}/settings/backups`);
    await page.getByLabel("Keep daily").fill("14");
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Default policy saved").waitFor();

    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${productionId}`);
    await fieldRow("Retention (GFS)").getByText("14 daily · 4 weekly · 12 monthly · 2 yearly").waitFor();
    await fieldRow("Retention (GFS)").getByText("Inherited from organization").waitFor();
    await fieldRow("Schedule").getByText("Weekly on Saturday at 03:30").waitFor();
    await screenshot(page, "policies-05-default-changed");

    // One field back to the default, then a new override undone by reverting the whole policy.
    await fieldRow("Schedule").getByRole("button", { name: "Use default" }).click();
    await fieldRow("Schedule").getByText("Daily at 03:30").waitFor();
    await expectSources(card(), 0);
    await fieldRow("Filestore").getByRole("button", { name: "Override" }).click();
    const dialog = page.getByRole("dialog", { name: "Override filestore" });
    await dialog.getByLabel("Include filestore").uncheck();
    await dialog.getByRole("button", { name: "Save override" }).click();
    await fieldRow("Filestore").getByText("Database only").waitFor();
    await expect(fieldRow("Filestore storage").count()).resolves.toBe(0);
    await expectSources(card(), 1, 14);

    await card().getByRole("button", { name: "Revert to organization default" }).click();
    const confirm = page.getByRole("dialog", { name: "Revert to organization default" });
    await confirm.getByText("filestore").waitFor();
    await confirm.getByRole("button", { name: "Revert" }).click();
    await confirm.waitFor({ state: "detached" });
    await expectSources(card(), 0);
    await fieldRow("Filestore").getByText("Included").waitFor();
    await screenshot(page, "policies-06-reverted");
    expect((await getEffectivePolicy(t.db, owner, productionId)).source).toMatchObject({ schedule: "organization", includeFilestore: "organization" });
  });

  it("applies an override to several environments at once from the project page", async () => {
    await page.goto(`${app.url}/projects/${setup.project.id}`);
    await page.getByRole("row", { name: /production/ }).getByText("Default").waitFor();
    await page.getByLabel("Select all environments").check();
    await page.getByRole("button", { name: "Apply policy override… (2)" }).click();
    const dialog = page.getByRole("dialog", { name: "Apply policy override" });
    await dialog.getByLabel("Set automatic backups").check();
    await dialog.getByRole("switch", { name: "Automatic backups" }).click();
    await dialog.getByLabel("Set retention (GFS)").check();
    await dialog.getByLabel("Keep yearly").fill("5");
    await screenshot(page, "policies-07-bulk-dialog");
    await dialog.getByRole("button", { name: "Apply to 2 environments" }).click();
    await dialog.waitFor({ state: "detached" });
    for (const name of ["production", "staging"]) await page.getByRole("row", { name: new RegExp(name) }).getByText("Off", { exact: true }).waitFor();
    await screenshot(page, "policies-08-bulk-applied");
    for (const id of [productionId, stagingId]) {
      expect(await getOverride(t.db, owner, id)).toEqual({ enabled: false, retention: { daily: 14, weekly: 4, monthly: 12, yearly: 5 } });
    }
  });

  it("shows viewers the policies read-only", async () => {
    const viewer = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await signIn(viewer, app.url, principals.viewer.label, TEST_PASSWORD);
    await viewer.goto(`${app.url}/settings/backups`);
    await viewer.getByText("Only admins can change the default policy.").waitFor();
    expect(await viewer.getByRole("button", { name: "Save default policy" }).count()).toBe(0);
    expect(await viewer.getByLabel("Cron expression").isDisabled()).toBe(true);
    await viewer.goto(`${app.url}/projects/${setup.project.id}/environments/${stagingId}`);
    await viewer.getByRole("heading", { name: "Backup policy" }).waitFor();
    await viewer.getByRole("row", { name: "Automatic backups", exact: true }).getByText("Overridden").waitFor();
    expect(await viewer.getByRole("button", { name: "Override" }).count()).toBe(0);
    expect(await viewer.getByRole("button", { name: "Revert to organization default" }).count()).toBe(0);
    await viewer.close();
  });
});
