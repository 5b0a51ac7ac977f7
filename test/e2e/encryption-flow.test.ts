import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import postgres from "postgres";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { createClientDatabase } from "../helpers/database";

type Key = { id: string; recipient: string; retiredAt: string | null; kitConfirmedAt: string | null; kitConfirmedBy: string | null; encryptedFiles: number };
type Link = { url: string; fileName: string; size: number; encrypted: boolean };

let c: ConsoleWithMembers;
let browser: Browser;
let page: Page;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
const ids = {} as Record<"project" | "environment" | "backup", string>;
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-kit-"));

async function keys(): Promise<Key[]> {
  return ((await c.rest(c.members.viewer, "GET", "/organization/keys")).body as { items: Key[] }).items;
}

beforeAll(async () => {
  c = await startConsoleWithMembers();
  client = await createClientDatabase();
  const sql = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  await sql.unsafe("create table invoices (id int primary key, total numeric); insert into invoices select g, g * 10 from generate_series(1, 5000) g");
  await sql.end();
  ids.project = (await c.must("POST", "/projects", { name: "Client" })).id;
  const server = await c.must("POST", "/servers", { name: "This host", kind: "local", config: {} });
  await c.must("POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-enc-storage-")) }, isDefault: true });
  const { host, port, user, password, database } = client;
  ids.environment = (await c.must("POST", "/environments", { projectId: ids.project, name: "production", stage: "production", serverId: server.id, source: "postgres", sourceConfig: { host, port, user, password, database } })).id;
  ({ browser, page } = await browserPage({ width: 1360, height: 900 }, { acceptDownloads: true }));
});

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await client?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe("the organization key and its recovery kit, on a spawned console", () => {
  it("gives a new organization its key at creation, and its kit only to owners", async () => {
    const [key] = await keys();
    expect(key).toMatchObject({ recipient: expect.stringMatching(/^age1/), retiredAt: null, kitConfirmedAt: null });
    const { admin } = c.members;
    for (const [method, route, body] of [
      ["POST", `/organization/keys/${key!.id}/recovery-kit`, {}],
      ["POST", `/organization/keys/${key!.id}/confirm-kit`, {}],
      ["POST", "/organization/keys/rotate", { confirm: "ROTATE" }],
    ] as const) {
      expect(await c.rest(admin, method, route, body), route).toMatchObject({ status: 403 });
    }
    expect(await c.trpc(admin, "organizationKeys.recoveryKit", { id: key!.id }, "mutation")).toMatchObject({ status: 403 });
    // The private key is in no answer but the kit's.
    expect(JSON.stringify(await keys())).not.toContain("AGE-SECRET-KEY");
  });

  it("offers the kit to an owner as a file, records it, and never again once confirmed", async () => {
    await signIn(page, c.app.url, c.members.owner.email, "owner-password-1");
    await page.goto(`${c.app.url}/settings/encryption`);
    const panel = page.getByTestId("recovery-kit-panel");
    await panel.waitFor();
    await screenshot(page, "encryption-01-kit-offered");

    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download the recovery kit" }).click()]);
    const [key] = await keys();
    expect(download.suggestedFilename()).toBe(`safehold-recovery-kit-security-agency-${key!.recipient.slice(4, 12)}.txt`);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    expect(fs.readFileSync(file, "utf8")).toMatch(new RegExp(`^# created: \\S+\\n# public key: ${key!.recipient}\\nAGE-SECRET-KEY-1[A-Z0-9]+\\n$`, "m"));

    const confirm = panel.getByRole("button", { name: "Confirm" });
    expect(await confirm.isDisabled()).toBe(true);
    await panel.getByLabel("I have saved the recovery kit").check();
    await confirm.click();
    await panel.waitFor({ state: "detached" });
    await page.getByText(`by ${c.members.owner.email}`).waitFor();
    await screenshot(page, "encryption-02-kit-confirmed");

    const again = await c.rest(c.members.owner, "POST", `/organization/keys/${key!.id}/recovery-kit`, {});
    expect(again).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining("does not hand out the private key again") } } });
    const activity = (await c.rest(c.members.owner, "GET", "/activity?limit=20")).body as { items: Array<{ action: string }> };
    expect(activity.items.map((a) => a.action)).toEqual(expect.arrayContaining(["organization_key.kit_download", "organization_key.kit_confirm"]));
  });

  it("encrypts a backup by default; the Download dialog offers it decrypted or encrypted", async () => {
    ids.backup = (await c.must("POST", `/environments/${ids.environment}/backups`, { name: "Encrypted" })).id;
    let backup: { status: string; error: string | null; artifacts: Array<{ fileName: string; size: number }> };
    do {
      await new Promise((r) => setTimeout(r, 300));
      backup = (await c.rest(c.members.owner, "GET", `/backups/${ids.backup}`)).body as typeof backup;
    } while (!["completed", "failed"].includes(backup.status));
    expect(backup.status, backup.error ?? "").toBe("completed");
    const stored = backup.artifacts.find((a) => a.fileName.endsWith(".sql.gz.age"))!;

    await page.goto(`${c.app.url}/projects/${ids.project}/environments/${ids.environment}`);
    await page.getByRole("button", { name: /^Actions for backup of/ }).first().click();
    await page.getByRole("menuitem", { name: "Download" }).click();
    const dialog = page.getByRole("dialog", { name: "Download backup" });
    await expect(dialog.getByLabel("Files").inputValue()).resolves.toBe("decrypted");
    await dialog.getByRole("button", { name: "Create links" }).click();
    await dialog.getByText(`backup-${ids.backup}-database.sql.gz`, { exact: true }).waitFor();
    await screenshotOf(dialog, "encryption-03-download-decrypted");
    await dialog.getByLabel("Files").selectOption("encrypted");
    await dialog.getByRole("button", { name: "Create new links" }).click();
    await dialog.getByTestId("decrypt-hint").first().waitFor();
    await screenshotOf(dialog, "encryption-04-download-encrypted");

    // The two forms of the same file, through console links: sizes as announced, the age file as stored.
    const link = async (encrypted: boolean) => (await c.rest(c.members.owner, "POST", `/backups/${ids.backup}/download-links`, { artifact: "database", expiresIn: 900, encrypted })).body as Link;
    const [plainLink, ageLink] = [await link(false), await link(true)];
    expect(plainLink).toMatchObject({ fileName: `backup-${ids.backup}-database.sql.gz`, encrypted: false });
    expect(ageLink).toMatchObject({ fileName: `backup-${ids.backup}-database.sql.gz.age`, encrypted: true, size: stored.size });
    const plain = await fetch(plainLink.url);
    const plainBytes = Buffer.from(await plain.arrayBuffer());
    expect(Number(plain.headers.get("content-length"))).toBe(plainLink.size);
    expect(plainBytes.length).toBe(plainLink.size);
    expect(gunzipSync(plainBytes).toString("utf8")).toContain("COPY public.invoices (id, total) FROM stdin;");
    const sealed = Buffer.from(await (await fetch(ageLink.url)).arrayBuffer());
    expect(sealed.length).toBe(stored.size);
    expect(sealed.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
  });

  it("rotates the key after a typed confirmation; the new key has its own kit to save", async () => {
    await page.goto(`${c.app.url}/settings/encryption`);
    await page.getByRole("button", { name: "Rotate the organization key" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the organization key" });
    const rotate = dialog.getByRole("button", { name: "Rotate the key" });
    expect(await rotate.isDisabled()).toBe(true);
    await dialog.getByLabel("Type ROTATE to confirm").fill("ROTATE");
    await screenshotOf(dialog, "encryption-05-rotate");
    await rotate.click();
    await page.getByTestId("recovery-kit-panel").waitFor();
    await expect(page.getByTestId("organization-key").count()).resolves.toBe(2);
    await screenshot(page, "encryption-06-rotated");
    // Elsewhere in the console, owners are reminded that the new key's kit is still to be saved.
    await page.goto(`${c.app.url}/backups`);
    await page.getByTestId("recovery-kit-banner").getByRole("link", { name: "Save the recovery kit" }).waitFor();
    await screenshot(page, "encryption-07-kit-banner");
    const [current, retired] = await keys();
    expect(current).toMatchObject({ retiredAt: null, kitConfirmedAt: null, encryptedFiles: 0 });
    expect(retired).toMatchObject({ retiredAt: expect.any(String), kitConfirmedBy: c.members.owner.email, encryptedFiles: 1 });
  });
});
