import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createApiToken } from "@/server/services/api-tokens";
import { listBackups } from "@/server/services/backups";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup } from "../helpers/backup-env";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let viewer: Principal;
let operator: Principal;
let client: OdooClient;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let environmentId: string;
let zipPath: string;
const plugins = builtinPluginHost();

/** An Odoo zip in the database manager's layout (Python's zipfile), padded past three 8 MB upload chunks with an entry Odoo ignores. */
function makeOdooZip(dir: string): string {
  const dump = path.join(dir, "dump.sql");
  execFileSync("pg_dump", ["--no-owner", "--format=plain", "--file", dump, client.url()]);
  fs.writeFileSync(path.join(dir, "padding.bin"), crypto.randomBytes(20 * 1024 * 1024));
  const manifest = JSON.stringify({ odoo_dump: "1", db_name: client.database, version: "17.0", version_info: [17, 0, 0, "final", 0, ""], major_version: "17.0", pg_version: "15.0", modules: { base: "17.0.1.3" } });
  const target = path.join(dir, "acme.zip");
  const script = [
    "import os, sys, zipfile",
    "target, dump, filestore, padding, manifest = sys.argv[1:6]",
    "with zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as z:",
    "    z.write(dump, 'dump.sql')",
    "    z.writestr('manifest.json', manifest)",
    "    for root, _, files in os.walk(filestore):",
    "        for f in files:",
    "            full = os.path.join(root, f)",
    "            z.write(full, 'filestore/' + os.path.relpath(full, filestore))",
    "    z.write(padding, 'extra/padding.bin', compress_type=zipfile.ZIP_STORED)",
  ].join("\n");
  execFileSync("python3", ["-c", script, target, dump, client.filestore(), path.join(dir, "padding.bin"), manifest]);
  return target;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner, viewer, operator } } = await createOrgWithMembers(t.db, "Upload Agency"));
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, client)).id;
  zipPath = makeOdooZip(fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-upload-files-")));
  app = await startTestConsole(t, "upload");
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await client?.drop();
  if (zipPath) fs.rmSync(path.dirname(zipPath), { recursive: true, force: true });
  await t?.drop();
});

describe("uploading a backup to import", () => {
  it("uploads an Odoo zip with progress, resumes after the connection is cut half-way, and the imported backup restores", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    let patches = 0;
    let cut = false;
    await page.route("**/api/uploads/**", async (route) => {
      if (route.request().method() === "PATCH" && ++patches === 2) {
        cut = true;
        return await route.abort("connectionreset");
      }
      await route.continue();
    });

    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await page.getByRole("button", { name: "Import backup" }).click();
    const dialog = page.getByRole("dialog", { name: "Import backup" });
    await screenshotOf(dialog, "import-01-dialog");
    await dialog.getByLabel("File", { exact: true }).setInputFiles(zipPath);
    await dialog.getByRole("button", { name: /^Upload acme\.zip/ }).click();
    await dialog.getByRole("progressbar", { name: "Upload progress" }).waitFor();
    await screenshotOf(dialog, "import-02-progress");
    await dialog.getByText("Imported: acme.zip is stored and verified as a backup of this environment.").waitFor({ timeout: 180_000 });
    await screenshotOf(dialog, "import-03-done");
    expect(cut).toBe(true);
    expect(patches).toBeGreaterThanOrEqual(4);

    const [imported] = (await listBackups(t.db, owner, { limit: 10, environmentId, type: "imported" })).items;
    expect(imported).toMatchObject({ type: "imported", status: "completed", verified: true });
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await page.getByText("Imported", { exact: true }).first().waitFor();
    await screenshot(page, "import-04-backups-list");

    const restore = await createRestore(t.db, plugins, owner, {
      backupId: imported!.id,
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "from upload", stage: "staging", serverId: setup.server.id, sourceConfig: { database: `${client.database}_upload` } },
      safetyBackup: false,
      includeFilestore: true,
      neutralize: false,
      confirm: "RESTORE",
    });
    expect(await waitForRestore(t.db, owner, restore.id)).toMatchObject({ status: "completed" });
    const copy = await odooState(client, `${client.database}_upload`);
    const original = await odooState(client);
    const { ir_config_parameter: _copyConfig, ...copyTables } = copy.tables;
    const { ir_config_parameter: _originalConfig, ...originalTables } = original.tables;
    expect(copyTables).toEqual(originalTables);
    expect(copy.files).toEqual(original.files);
  });

  it("checks the caller on every upload request: signed in, operator or above, a tus client, the organization's own uploads; other paths keep the 1 MB cap", async () => {
    const create = (headers: Record<string, string>) =>
      fetch(`${app.url}/api/uploads`, { method: "POST", headers: { "tus-resumable": "1.0.0", "upload-length": "10", "upload-metadata": `environmentId ${Buffer.from(environmentId).toString("base64")},filename ${Buffer.from("x.sql").toString("base64")}`, ...headers } });
    expect((await create({})).status).toBe(401);
    const viewerToken = (await createApiToken(t.db, viewer, { name: "viewer" })).token;
    expect((await create({ authorization: `Bearer ${viewerToken}` })).status).toBe(403);
    const operatorToken = (await createApiToken(t.db, operator, { name: "operator" })).token;
    const noTus = await fetch(`${app.url}/api/uploads`, { method: "POST", headers: { authorization: `Bearer ${operatorToken}`, "upload-length": "10" } });
    expect(noTus.status).toBe(412);
    const created = await create({ authorization: `Bearer ${operatorToken}` });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get("location")!, app.url).toString();
    expect(created.headers.get("safehold-backup-id")).toMatch(/^[0-9a-f-]{36}$/);
    // Another organization's operator cannot see or feed it.
    const other = await createOrgWithMembers(t.db, "Other Agency");
    const otherToken = (await createApiToken(t.db, other.principals.operator, { name: "other" })).token;
    expect((await fetch(location, { method: "HEAD", headers: { authorization: `Bearer ${otherToken}`, "tus-resumable": "1.0.0" } })).status).toBe(404);
    const body = Buffer.from("not a dump");
    const patched = await fetch(location, { method: "PATCH", headers: { authorization: `Bearer ${operatorToken}`, "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body });
    expect(patched.status).toBe(204);
    const id = created.headers.get("safehold-backup-id")!;
    for (let i = 0; i < 100; i++) {
      const [row] = (await listBackups(t.db, owner, { limit: 10, environmentId, type: "imported" })).items.filter((b) => b.id === id);
      if (row?.status === "failed") {
        expect(row.error).toBe('The file is not a pg_dump dump: a plain-SQL dump begins with pg_dump\'s header comment, this one began with "not a dump"');
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(i).toBeLessThan(99);
    }
    const large = await fetch(`${app.url}/api/v1/projects`, { method: "POST", headers: { authorization: `Bearer ${operatorToken}`, "content-type": "application/json" }, body: "x".repeat(2 * 1024 * 1024) });
    expect(large.status).toBe(413);
  });

  it("refuses, in the dialog, a server path outside the server's allowed folders", async () => {
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${environmentId}`);
    await page.getByRole("button", { name: "Import backup" }).click();
    const dialog = page.getByRole("dialog", { name: "Import backup" });
    await dialog.getByText("From the server", { exact: true }).click();
    await dialog.getByLabel("Path on the server").fill("/etc/passwd");
    await dialog.getByRole("button", { name: "Import", exact: true }).click();
    await dialog.getByText(/allowed folders/).last().waitFor();
    await screenshotOf(dialog, "import-05-path-refused");
    expect((await listBackups(t.db, owner, { limit: 50, environmentId })).items.filter((b) => b.name.includes("/etc/passwd"))).toEqual([]);
  });
});
