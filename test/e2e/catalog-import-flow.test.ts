import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { closeAll } from "../helpers/close-all";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

const plugins = builtinPluginHost();
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let storageDir: string;

/** An unsigned manifest and its dump, as another tool or console would leave them in the location. */
function writeForeignBackup() {
  const [orgId, projectId, environmentId, backupId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const folder = `${orgId}/${projectId}/${environmentId}/${backupId}/`;
  const dump = gzipSync("--\n-- PostgreSQL database dump\n--\nselect 1;\n");
  fs.mkdirSync(path.join(storageDir, folder), { recursive: true });
  fs.writeFileSync(path.join(storageDir, folder, `backup-${backupId}-database.sql.gz`), dump);
  const manifest = {
    format: "safehold-backup/1",
    backupId,
    requestedAt: new Date(Date.now() - 86_400_000).toISOString(),
    organization: { id: orgId, name: "Elsewhere" },
    project: { id: projectId, name: "Fabrikam" },
    environment: { id: environmentId, name: "production", stage: "production" },
    source: { type: "postgres" },
    artifacts: [{ kind: "database", key: `${folder}backup-${backupId}-database.sql.gz`, size: dump.length, sha256: createHash("sha256").update(dump).digest("hex") }],
  };
  fs.writeFileSync(path.join(storageDir, folder, `backup-${backupId}-manifest.json`), JSON.stringify(manifest));
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Catalog Agency"));
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-catalog-storage-"));
  await createStorageLocation(t.db, plugins, owner, { name: "Offsite disk", provider: "local", config: { path: storageDir }, isDefault: true });
  await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {} });
  writeForeignBackup();
  app = await startTestConsole(t, "catalog");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, t));

describe("Settings › Storage: import backups and the console's self-backup", () => {
  it("imports a location's backups, lists a foreign one, and trusts it after a typed confirmation", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    await page.goto(`${app.url}/settings/storage`);
    await page.getByRole("button", { name: "Import backups" }).click();
    const dialog = page.getByRole("dialog", { name: "Import backups from this location" });
    await dialog.getByRole("button", { name: "Import backups" }).click();
    await expect.poll(() => dialog.getByTestId("catalog-import-counts").textContent()).toBe("1 added, 0 already known, 1 foreign");
    await dialog.getByText("Fabrikam / production").waitFor();
    await dialog.getByRole("button", { name: "Trust" }).click();
    const trust = dialog.getByRole("button", { name: "Trust this backup" });
    expect(await trust.isDisabled()).toBe(true);
    await dialog.getByLabel("Type TRUST to confirm").fill("TRUST");
    await screenshotOf(dialog, "catalog-01-import-result");
    await trust.click();
    await dialog.getByText("Foreign backups").waitFor({ state: "detached" });
    await dialog.getByRole("button", { name: "Import again" }).click();
    await expect.poll(() => dialog.getByTestId("catalog-import-counts").textContent()).toBe("0 added, 1 already known, 0 foreign");
    await dialog.getByRole("button", { name: "Close" }).first().click();

    await page.goto(`${app.url}/backups`);
    await page.getByText("Foreign, trusted").waitFor();
    await screenshot(page, "catalog-02-backups-foreign-trusted");
    // Its environment is an archived stand-in: the wizard offers a new or another environment, never the stand-in itself.
    await page.getByRole("button", { name: "Restore", exact: true }).first().click();
    const wizard = page.getByRole("dialog", { name: "Restore backup" });
    await wizard.getByText("New environment", { exact: true }).waitFor();
    expect(await wizard.getByText("Original environment", { exact: true }).count()).toBe(0);
    await wizard.getByRole("button", { name: "Close" }).click();
  });

  it("backs the console up now to a chosen location and lists the run", async () => {
    await page.goto(`${app.url}/settings/storage`);
    await page.getByLabel("Storage location").selectOption({ label: "Offsite disk" });
    await page.getByRole("button", { name: "Save self-backup settings" }).click();
    const now = page.getByRole("button", { name: "Back up the console now" });
    await expect.poll(() => now.isEnabled()).toBe(true);
    await now.click();
    await page.getByText("Completed", { exact: true }).waitFor({ timeout: 60_000 });
    await screenshot(page, "catalog-03-self-backup");
  });
});
