import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserPage, screenshotOf, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { filestoreChecksums } from "../helpers/odoo-fixture";
import { extractAsOdoo, inspectZip } from "../helpers/odoo-zip";
import { addLocalOdooEnvironment, createOdooClient, type OdooClient } from "../helpers/restore-env";

let c: ConsoleWithMembers;
let browser: Browser;
let page: Page;
let client: OdooClient;
const ids = {} as Record<"project" | "environment" | "backup", string>;
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-odoo-zip-ui-"));

beforeAll(async () => {
  c = await startConsoleWithMembers();
  client = await createOdooClient();
  ({ project: ids.project, environment: ids.environment } = await addLocalOdooEnvironment(c, client));
  ids.backup = (await c.must("POST", `/environments/${ids.environment}/backups`, { name: "Before the upgrade" })).id;
  let backup: { status: string; error: string | null };
  do {
    await new Promise((r) => setTimeout(r, 300));
    backup = (await c.rest(c.members.owner, "GET", `/backups/${ids.backup}`)).body as typeof backup;
  } while (!["completed", "failed"].includes(backup.status));
  expect(backup.status, backup.error ?? "").toBe("completed");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }, { acceptDownloads: true }));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await client?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe("the Download dialog of an Odoo backup", () => {
  it("offers Odoo format (.zip), neutralized on request, and its link downloads the zip", async () => {
    await signIn(page, c.app.url, c.members.operator.email, "operator-password-1");
    await page.goto(`${c.app.url}/projects/${ids.project}/environments/${ids.environment}`);
    await page.getByRole("button", { name: /^Actions for backup of/ }).first().click();
    await page.getByRole("menuitem", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download backup" });
    await dialog.getByLabel("Download as").selectOption({ label: "Odoo format (.zip)" });
    await dialog.getByLabel("Neutralized (for testing)").check();
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = dialog.getByRole("textbox", { name: "Link to Odoo format (.zip), neutralized" });
    await link.waitFor();
    await dialog.getByText(/^production-\d{4}-\d{2}-\d{2}\.zip$/).waitFor();
    await screenshotOf(dialog, "odoo-export-01-download-dialog");

    const url = await link.inputValue();
    const [download] = await Promise.all([page.waitForEvent("download"), page.evaluate((href) => (window.location.href = href), url).catch(() => {})]);
    expect(download.suggestedFilename()).toMatch(/^production-\d{4}-\d{2}-\d{2}\.zip$/);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const zip = inspectZip(file);
    expect(zip).toMatchObject({ isZip: true, bad: null });
    expect(zip.members.slice(0, 2).map((m) => m.name)).toEqual(["dump.sql", "manifest.json"]);
    const into = fs.mkdtempSync(path.join(downloads, "extracted-"));
    extractAsOdoo(file, into);
    expect(fs.readFileSync(path.join(into, "dump.sql"), "utf8")).toContain("database.is_neutralized");
    expect(filestoreChecksums(path.join(into, "filestore"))).toEqual(filestoreChecksums(client.filestore()));

    // The links made for the backup name the export, not the database file it is recorded against.
    await dialog.getByRole("heading", { name: "Links made for this backup" }).waitFor();
    await expect(dialog.locator("section").getByText("Odoo format (.zip), neutralized").count()).resolves.toBe(1);
  }, 120_000);
});
