import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Download, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserPage, screenshotOf, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { addLocalOdooEnvironment, createOdooClient, type OdooClient } from "../helpers/restore-env";

let c: ConsoleWithMembers;
let browser: Browser;
let page: Page;
let client: OdooClient;
const ids = {} as Record<"project" | "environment", string>;
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-one-click-"));

beforeAll(async () => {
  c = await startConsoleWithMembers();
  client = await createOdooClient();
  ({ project: ids.project, environment: ids.environment } = await addLocalOdooEnvironment(c, client));
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }, { acceptDownloads: true }));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await client?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe("creating a backup and downloading it in one click", () => {
  it("confirms the queued backup with a toast, then Download now hands the browser the gzip at once", async () => {
    await signIn(page, c.app.url, c.members.operator.email, "operator-password-1");
    await page.goto(`${c.app.url}/projects/${ids.project}/environments/${ids.environment}`);
    await page.getByRole("button", { name: "Create Backup" }).click();
    const create = page.getByRole("dialog", { name: "Create backup" });
    await create.getByRole("button", { name: "Create backup" }).click();
    await page.getByText('Backup of "production" queued').waitFor();
    await create.waitFor({ state: "detached" });

    const listed = (await c.rest(c.members.owner, "GET", `/backups?environmentId=${ids.environment}`)).body as { items: Array<{ id: string }> };
    expect(listed.items).toHaveLength(1);
    let backup: { status: string; error: string | null };
    do {
      await new Promise((r) => setTimeout(r, 300));
      backup = (await c.rest(c.members.owner, "GET", `/backups/${listed.items[0]!.id}`)).body as typeof backup;
    } while (!["completed", "failed"].includes(backup.status));
    expect(backup.status, backup.error ?? "").toBe("completed");

    await page.reload();
    await page.getByRole("button", { name: /^Actions for backup of/ }).first().click();
    await page.getByRole("menuitem", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download backup" });
    await dialog.getByRole("button", { name: "Download now" }).waitFor();
    await screenshotOf(dialog, "one-click-download-01-dialog");

    // The backup's three files (database, filestore, manifest) download one after the other.
    const received = new Promise<Download[]>((resolve) => {
      const seen: Download[] = [];
      page.on("download", (d) => (seen.push(d) === 3 ? resolve(seen) : undefined));
    });
    await dialog.getByRole("button", { name: "Download now" }).click();
    await page.getByText(/^Download started: 3 files$/).waitFor();
    const files = await received;
    const names = files.map((d) => d.suggestedFilename());
    expect(names.filter((n) => n.endsWith(".gz")), names.join(", ")).toHaveLength(2);
    for (const download of files.filter((d) => d.suggestedFilename().endsWith(".gz"))) {
      const file = path.join(downloads, download.suggestedFilename());
      await download.saveAs(file);
      expect([...fs.readFileSync(file).subarray(0, 2)], download.suggestedFilename()).toEqual([0x1f, 0x8b]);
    }
    // The short-lived links show among the links made for this backup, as any other.
    await dialog.getByRole("heading", { name: "Links made for this backup" }).waitFor();
    await screenshotOf(dialog, "one-click-download-02-started");
  }, 180_000);
});
