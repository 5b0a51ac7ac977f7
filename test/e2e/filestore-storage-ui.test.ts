import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups, storageLocations } from "@/server/db/schema";
import { getOrgPolicy, getOverride } from "@/server/services/backup-policies";
import { openStorage } from "@/server/services/plugin-config";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { browserPage, policyFieldRow, screenshot, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { reference, storeObject } from "../helpers/filestore-objects";

/** How the filestore is stored, chosen in the policy forms, and what deduplication saved, shown where storage use is. */
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let environmentId: string;
const plugins = builtinPluginHost();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Filestore Agency"));
  setup = await createBackupSetup(t.db, plugins, owner);
  // The policies never come due while the test runs: the environment needs no reachable database.
  environmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" })).id;
  app = await startTestConsole(t, "filestore");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, t));

const fieldRow = (name: string) => policyFieldRow(page, name);

describe("filestore storage in the console", () => {
  it("sets full archives as the organization default, and hides the choice when the filestore is left out", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    await page.goto(`${app.url}/settings/backups`);
    await page.getByRole("heading", { name: "Default backup policy" }).waitFor();
    const layout = page.getByLabel("Filestore storage");
    await expect(layout.inputValue()).resolves.toBe("objects");
    await layout.selectOption({ label: "Full archive every backup" });
    await page.getByText("Every backup stores the whole filestore again as one archive").waitFor();
    await page.getByRole("button", { name: "Save default policy" }).click();
    await page.getByText("Default policy saved").waitFor();
    await screenshot(page, "filestore-01-org-default-archive");
    expect(await getOrgPolicy(t.db, owner)).toMatchObject({ includeFilestore: true, filestoreLayout: "archive" });

    await page.reload();
    await expect.poll(() => page.getByLabel("Filestore storage").inputValue()).toBe("archive");
    await page.getByLabel("Include filestore").uncheck();
    await page.getByLabel("Filestore storage").waitFor({ state: "detached" });
    await page.getByLabel("Include filestore").check();
    await page.getByLabel("Filestore storage").waitFor();
  });

  it("overrides it for one environment back to incremental", async () => {
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await fieldRow("Filestore storage").getByText("Full archive every backup").waitFor();
    await fieldRow("Filestore storage").getByRole("button", { name: "Override" }).click();
    const dialog = page.getByRole("dialog", { name: "Override filestore storage" });
    await dialog.getByLabel("Filestore storage").selectOption({ label: "Incremental: each file stored once (recommended)" });
    await screenshot(page, "filestore-02-override-dialog");
    await dialog.getByRole("button", { name: "Save override" }).click();
    await dialog.waitFor({ state: "detached" });
    await fieldRow("Filestore storage").getByText("Incremental: each file stored once (recommended)").waitFor();
    await fieldRow("Filestore storage").getByText("Overridden").waitFor();
    await screenshot(page, "filestore-03-environment-override");
    expect(await getOverride(t.db, owner, environmentId)).toEqual({ filestoreLayout: "objects" });
  });

  it("shows what deduplication saved on the storage page and the client's health", async () => {
    const [location] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, setup.storage.id));
    const place = { orgId: owner.orgId, locationId: setup.storage.id, storage: await openStorage(plugins, location!) };
    // A 3 MiB attachment held by both nightly backups: stored once, so 3 MiB saved.
    const attachment = await storeObject(t.db, place, Buffer.alloc(3 * 1024 * 1024, "a"));
    await place.storage.close();
    for (const name of ["monday", "tuesday"]) {
      const [row] = await t.db
        .insert(backups)
        .values({ orgId: owner.orgId, projectId: setup.project.id, environmentId, storageLocationId: setup.storage.id, status: "completed", type: "scheduled", retentionClass: "daily", name, sizeBytes: 1024 })
        .returning({ id: backups.id });
      await reference(t.db, row!.id, setup.storage.id, [attachment]);
    }
    await page.goto(`${app.url}/settings/storage`);
    await page.getByText("Used counts each filestore file once, however many backups hold it.").waitFor();
    await page.getByText("3.0 MB saved by deduplication").waitFor();
    await screenshot(page, "filestore-04-storage-dedup");

    await page.goto(`${app.url}/projects/${setup.project.id}`);
    await page.getByText("Deduplication saved", { exact: true }).waitFor();
    await screenshot(page, "filestore-05-client-dedup");

    await page.goto(`${app.url}/`);
    await page.getByText("3.0 MB saved by deduplication").waitFor();
    await screenshot(page, "filestore-06-dashboard-dedup");
  });
});
