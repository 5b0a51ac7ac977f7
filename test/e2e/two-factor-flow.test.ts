import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, screenshotOf } from "../helpers/browser";
import { runCli, startConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-2fa-"));
const ORG = "Northwind Agency";
const owner = { email: "olivia@northwind.test", password: "tidal-lantern-owner-48" };
const admin = { email: "adam@northwind.test", password: "quiet-harbour-admin-73" };
const FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

let ownerSecret = "";
let ownerRecoveryCodes: string[] = [];
let adminSecret = "";

/** The time step each secret's last code came from: the console refuses a code from a step it has already accepted. */
const usedSteps = new Map<string, number>();

/** What an authenticator app shows now, waiting for the next 30-second step when this one's code was already used. */
async function nextTotpCode(secret: string): Promise<string> {
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  const last = usedSteps.get(secret);
  if (last !== undefined && totp.counter() <= last) await new Promise((r) => setTimeout(r, totp.remaining() + 300));
  usedSteps.set(secret, totp.counter());
  return totp.generate();
}

beforeAll(async () => {
  t = await createTestDatabase();
  const env = { DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir };
  app = await startConsole(env);
  for (const [person, role] of [
    [owner, "owner"],
    [admin, "admin"],
  ] as const) {
    const created = await runCli(["user", "create", "--email", person.email, "--org", ORG, "--role", role], env, `${person.password}\n`);
    expect(created.code, created.stderr).toBe(0);
  }
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function submitPassword(p: Page, person: { email: string; password: string }, query = "") {
  await p.goto(`${app.url}/signin${query}`);
  await p.getByLabel("Email").fill(person.email);
  await p.getByLabel("Password").fill(person.password);
  await p.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(p: Page) {
  await p.getByRole("button", { name: "Sign out", exact: true }).click();
  await p.waitForURL("**/signin**");
}

/** Reads the setup key off the enrolment step, as a person would type it into an authenticator app. */
async function readSetupKey(scope: Page | ReturnType<Page["getByRole"]>): Promise<string> {
  const key = (await scope.getByLabel(/setup key/).textContent())!.replace(/\s+/g, "");
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  return key;
}

async function readRecoveryCodes(scope: Page | ReturnType<Page["getByRole"]>): Promise<string[]> {
  const items = await scope.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allTextContents();
  return items.map((text) => /[a-z0-9]{5}-[a-z0-9]{5}/.exec(text)?.[0] ?? "");
}

describe("two-factor sign-in, through the browser", () => {
  it("the owner sees their sessions, ends another one, and turns on two-factor sign-in from Settings › Account", async () => {
    await submitPassword(page, owner);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // A second browser signed in as the owner: it shows up in the sessions list, and can be ended from here.
    const otherContext = await browser.newContext({ userAgent: FIREFOX_ON_WINDOWS });
    const other = await otherContext.newPage();
    await submitPassword(other, owner);
    await other.getByRole("heading", { name: "Dashboard" }).waitFor();

    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await page.waitForURL("**/settings/account");
    const sessions = page.locator("section", { has: page.getByRole("heading", { name: "Sessions", exact: true }) });
    await sessions.getByRole("row", { name: /Firefox on Windows/ }).waitFor();
    await sessions.getByRole("row", { name: /This session/ }).waitFor();
    await screenshot(page, "2fa-01-account-sessions");
    await sessions.getByRole("button", { name: /End the session on Firefox on Windows/ }).click();
    await sessions.getByRole("row", { name: /Firefox on Windows/ }).waitFor({ state: "detached" });
    // That browser's session is over: its next page load goes to the sign-in page.
    await other.reload();
    await other.waitForURL("**/signin**");
    await otherContext.close();

    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const dialog = page.getByRole("dialog", { name: "Set up two-factor sign-in" });
    await dialog.getByLabel("Current password").fill("not-my-password");
    await dialog.getByRole("button", { name: "Continue" }).click();
    await dialog.getByText("Not your current password").waitFor();
    await dialog.getByLabel("Current password").fill(owner.password);
    await dialog.getByRole("button", { name: "Continue" }).click();
    await dialog.getByRole("img", { name: /QR code/ }).waitFor();
    expect(await dialog.getByRole("img", { name: /QR code/ }).locator("svg").count()).toBe(1);
    ownerSecret = await readSetupKey(dialog);
    await screenshotOf(dialog, "2fa-02-enrol-qr");

    await dialog.getByLabel("Enter the 6-digit code from the app").fill("000000");
    await dialog.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    await dialog.getByText(/That code is not right/).waitFor();
    await dialog.getByLabel("Enter the 6-digit code from the app").fill(await nextTotpCode(ownerSecret));
    await dialog.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    ownerRecoveryCodes = await (async () => {
      await dialog.getByRole("list", { name: "Recovery codes" }).waitFor();
      return readRecoveryCodes(dialog);
    })();
    expect(ownerRecoveryCodes).toHaveLength(10);
    for (const code of ownerRecoveryCodes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(new Set(ownerRecoveryCodes).size).toBe(10);
    // Shown once: "Done" waits for the person to say they saved them, and the dialog cannot be dismissed meanwhile.
    await expect(dialog.getByRole("button", { name: "Done" }).isDisabled()).resolves.toBe(true);
    expect(await dialog.getByRole("button", { name: "Close" }).count()).toBe(0);
    await screenshotOf(dialog, "2fa-03-recovery-codes");
    await dialog.getByLabel("I have saved these codes").check();
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("10 of 10").waitFor();
    await page.getByRole("button", { name: "New recovery codes" }).waitFor();
    await screenshot(page, "2fa-04-account-two-factor-on");
  }, 120_000);

  it("signs in with password and a fresh code from the app, and stays on the console's own origin", async () => {
    await signOut(page);
    // A crafted callbackUrl that a browser would read as another host is replaced by "/".
    await submitPassword(page, owner, `?callbackUrl=${encodeURIComponent("/\\evil.example/")}`);
    await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
    const code = page.getByLabel("Authentication code");
    expect(await code.getAttribute("inputmode")).toBe("numeric");
    expect(await code.getAttribute("autocomplete")).toBe("one-time-code");
    await code.fill("123456");
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByText("Wrong code, email or password").waitFor();
    await screenshot(page, "2fa-05-code-step");
    await code.fill(await nextTotpCode(ownerSecret));
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(app.url).origin);
  }, 120_000);

  it("signs in with a recovery code once; the same code is refused the second time", async () => {
    await signOut(page);
    await submitPassword(page, owner);
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await page.getByLabel("Recovery code").fill(ownerRecoveryCodes[0]!);
    await screenshot(page, "2fa-06-recovery-code-step");
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    await signOut(page);
    await submitPassword(page, owner);
    await page.getByRole("button", { name: "Use a recovery code instead" }).click();
    await page.getByLabel("Recovery code").fill(ownerRecoveryCodes[0]!);
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByText("Wrong code, email or password").waitFor();
    await screenshot(page, "2fa-07-recovery-code-reused");
    expect(new URL(page.url()).pathname).toBe("/signin");

    await page.getByLabel("Recovery code").fill(ownerRecoveryCodes[1]!);
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.goto(`${app.url}/settings/account`);
    await page.getByText("8 of 10").waitFor();
  });

  it("an owner requires two-factor for owners and admins: an admin without it is sent to enrolment, then reaches the console", async () => {
    await page.goto(`${app.url}/settings/general`);
    await page.getByLabel("Require two-factor sign-in").selectOption("admins");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Settings saved.").waitFor();
    await screenshot(page, "2fa-08-general-require");
    await signOut(page);

    await submitPassword(page, admin);
    await page.waitForURL("**/account/secure");
    await page.getByRole("heading", { name: "Set up two-factor sign-in" }).waitFor();
    await page.getByText("Your organization requires two-factor sign-in").waitFor();
    await screenshot(page, "2fa-09-forced-enrolment");
    // Nothing else in the console opens until this is done.
    await page.goto(`${app.url}/settings/members`);
    await page.waitForURL("**/account/secure");

    await page.getByLabel("Current password").fill(admin.password);
    await page.getByRole("button", { name: "Continue" }).click();
    adminSecret = await readSetupKey(page);
    await screenshot(page, "2fa-10-forced-enrolment-qr");
    await page.getByLabel("Enter the 6-digit code from the app").fill(await nextTotpCode(adminSecret));
    await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    const codes = await (async () => {
      await page.getByRole("list", { name: "Recovery codes" }).waitFor();
      return readRecoveryCodes(page);
    })();
    expect(codes).toHaveLength(10);
    await screenshot(page, "2fa-11-forced-enrolment-codes");
    await page.getByLabel("I have saved these codes").check();
    await page.getByRole("button", { name: "Continue to the console" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    await page.goto(`${app.url}/settings/members`);
    for (const email of [owner.email, admin.email]) await page.getByRole("row", { name: new RegExp(email) }).getByText("On", { exact: true }).waitFor();
    await screenshot(page, "2fa-12-members");
  }, 120_000);

  it("an owner resets the admin's password: the admin's session ends, and their next sign-in asks for a new password", async () => {
    const ownerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const ownerPage = await ownerContext.newPage();
    await submitPassword(ownerPage, owner);
    await ownerPage.getByRole("button", { name: "Use a recovery code instead" }).click();
    await ownerPage.getByLabel("Recovery code").fill(ownerRecoveryCodes[2]!);
    await ownerPage.getByRole("button", { name: "Verify and sign in" }).click();
    await ownerPage.getByRole("heading", { name: "Dashboard" }).waitFor();
    await ownerPage.goto(`${app.url}/settings/members`);
    const adminRow = ownerPage.getByRole("row", { name: new RegExp(admin.email) });
    await adminRow.getByRole("button", { name: "Reset 2FA" }).waitFor();
    // No resets on your own row: those are under Settings › Account.
    expect(await ownerPage.getByRole("row", { name: new RegExp(owner.email) }).getByRole("button", { name: /Reset/ }).count()).toBe(0);
    await screenshot(ownerPage, "2fa-13-members-as-owner");
    await adminRow.getByRole("button", { name: "Reset password" }).click();
    const confirm = ownerPage.getByRole("dialog", { name: "Reset password" });
    await confirm.getByRole("button", { name: "Reset password" }).click();
    const shown = ownerPage.getByRole("dialog", { name: "Temporary password" });
    const temporary = await shown.getByLabel("Temporary password").inputValue();
    expect(temporary).toMatch(/^[\w]{4}(-[\w]{4}){3}$/);
    await shown.getByText("They must choose a new password at their next sign-in, and all their sessions were ended.").waitFor();
    await screenshotOf(shown, "2fa-14-temporary-password");
    await shown.getByRole("button", { name: "Done" }).click();
    await adminRow.getByText("Must change password").waitFor();
    await ownerContext.close();

    // The admin's browser was signed out by the reset.
    await page.reload();
    await page.waitForURL("**/signin**");
    await submitPassword(page, { email: admin.email, password: temporary });
    await page.getByLabel("Authentication code").fill(await nextTotpCode(adminSecret));
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.waitForURL("**/account/secure");
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await page.getByLabel("Temporary password").fill(temporary);
    await page.getByLabel("New password", { exact: true }).fill("password1234");
    await page.getByLabel("Repeat the new password").fill("password1234");
    await page.getByRole("button", { name: "Save new password and continue" }).click();
    await page.locator("[data-field-error=new-password]").waitFor();
    await screenshot(page, "2fa-15-choose-new-password");
    const chosen = "amber-quarry-kettle-92";
    await page.getByLabel("New password", { exact: true }).fill(chosen);
    await page.getByLabel("Repeat the new password").fill(chosen);
    await page.getByRole("button", { name: "Save new password and continue" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    await page.goto(`${app.url}/settings/account`);
    await page.getByText(/Last changed/).waitFor();
    await screenshot(page, "2fa-16-account-after-reset");
  }, 120_000);

  it("the admin replaces their recovery codes, then turns two-factor off and is sent straight back to enrolment", async () => {
    await page.getByRole("button", { name: "New recovery codes" }).click();
    const proof = page.getByRole("dialog", { name: "New recovery codes" });
    await proof.getByLabel("Current password").fill("amber-quarry-kettle-92");
    await screenshotOf(proof, "2fa-17-new-recovery-codes-proof");
    await proof.getByRole("button", { name: "Create new codes" }).click();
    await proof.getByRole("list", { name: "Recovery codes" }).waitFor();
    expect(await readRecoveryCodes(proof)).toHaveLength(10);
    await proof.getByLabel("I have saved these codes").check();
    await proof.getByRole("button", { name: "Done" }).click();
    await proof.waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Turn off" }).click();
    const off = page.getByRole("dialog", { name: "Turn off two-factor sign-in" });
    await off.getByLabel("Current password").fill("amber-quarry-kettle-92");
    await off.getByRole("button", { name: "Turn off" }).click();
    // Owners and admins must use it here: the console sends the admin to set it up again.
    await page.waitForURL("**/account/secure");
    await page.getByRole("heading", { name: "Set up two-factor sign-in" }).waitFor();
  });
});
