import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { ENVIRONMENTS_ROOT } from "../helpers/backup-env";
import { browserPage, screenshot, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, odooSourceConfig, type OdooClient } from "../helpers/restore-env";
import { startS3Storage } from "../helpers/storage-servers/s3";
import type { StorageTarget } from "../helpers/storage-servers/types";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let s3: StorageTarget;
let client: OdooClient;
let url: string;
const plugins = builtinPluginHost();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Cloud Agency"));
  s3 = await startS3Storage();
  client = await createOdooClient();
  const project = await createProject(t.db, owner, { name: "Northwind", description: "" });
  // The Odoo data folder is made under ENVIRONMENTS_ROOT: the server must allow it.
  const server = await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {}, allowedRoots: [ENVIRONMENTS_ROOT] });
  const environment = await createEnvironment(t.db, plugins, owner, { projectId: project.id, serverId: server.id, name: "production", stage: "production", source: "odoo", sourceConfig: odooSourceConfig(client) });
  url = `/projects/${project.id}/environments/${environment.id}`;
  app = await startTestConsole(t, "s3");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
  await signIn(page, app.url, owner.label, TEST_PASSWORD);
});

afterAll(() => closeAll(browser, app, s3, client, t));

describe("S3-compatible storage from the browser", () => {
  it("adds a MinIO-preset location on s3rver, tested before saving", async () => {
    const config = s3.config as { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
    await page.goto(`${app.url}/settings/storage`);
    await page.getByRole("button", { name: "Add storage location" }).click();
    const dialog = page.getByRole("dialog", { name: "Add storage location" });
    await dialog.getByLabel("Name", { exact: true }).fill("Object storage");
    await dialog.getByLabel("Provider", { exact: true }).selectOption("s3");
    await dialog.getByLabel(/^Service/).selectOption("minio");
    await dialog.getByLabel(/^Endpoint/).fill(config.endpoint);
    await dialog.getByLabel(/^Bucket/).fill(config.bucket);
    await dialog.getByLabel(/^Access key ID/).fill(config.accessKeyId);
    await dialog.getByLabel(/^Secret access key/).fill(config.secretAccessKey);
    await dialog.getByRole("button", { name: "Test connection" }).click();
    await dialog.getByRole("status").getByText(/reachable and writable/).waitFor();
    await screenshot(page, "s3-01-location-tested");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("row", { name: /Object storage/ }).getByText("Default").waitFor();
  });

  it("stores a backup there and hands out its three download links", async () => {
    await page.goto(`${app.url}${url}`);
    await page.getByRole("button", { name: "Create Backup" }).click();
    const create = page.getByRole("dialog", { name: "Create backup" });
    await expect.poll(() => create.getByLabel("Storage location").inputValue()).not.toBe("");
    await create.getByRole("button", { name: "Create backup" }).click();
    await create.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Object storage|Manual/ }).first();
    await row.getByText("Verified").waitFor({ timeout: 120_000 });
    await row.getByRole("button", { name: /^Actions for backup of/ }).click();
    await page.getByRole("menuitem", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download backup" });
    await dialog.getByLabel("URL expiration").selectOption("1800");
    // The backup is encrypted: S3 presigns the stored (encrypted) files; decrypted ones come through the console.
    await dialog.getByLabel("Files").selectOption({ label: "Encrypted (.gz.age)" });
    await dialog.getByRole("button", { name: "Create links" }).click();
    const links = dialog.getByRole("list", { name: "Download links" }).getByRole("listitem");
    await expect.poll(() => links.count()).toBe(3);
    for (const label of ["Database dump", "Filestore", "Manifest"]) {
      const value = await dialog.getByLabel(`Link to ${label}`, { exact: true }).inputValue();
      // The filestore is kept as shared objects: no one stored file to presign, the console reassembles it.
      expect(value).toContain(label === "Filestore" ? new URL(app.url).host : new URL((s3.config as { endpoint: string }).endpoint).host);
      expect((await fetch(value)).status).toBe(200);
    }
    await screenshot(page, "s3-02-download-links");
  });
});
