import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "../helpers/browser";
import { hasFocus, holdsFocus, settle, tabTo } from "../helpers/page-checks";
import { closeSeededConsole, openSeededConsole, type SeededConsole } from "../helpers/seeded-console";

let seed: SeededConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => ({ seed, browser, page } = await openSeededConsole("Keyboard Agency")));
afterAll(() => closeSeededConsole({ seed, browser }));

/** Tab and Shift+Tab, many times round: the focus never leaves the dialog. */
async function expectFocusTrapped(dialog: ReturnType<Page["getByRole"]>) {
  for (const key of [...Array<string>(25).fill("Tab"), ...Array<string>(8).fill("Shift+Tab")]) {
    await page.keyboard.press(key);
    expect(await holdsFocus(dialog), `focus after ${key}`).toBe(true);
  }
}

/** Escape on a dialog with input asks first; "Keep editing" (Enter) keeps it open, its input kept. */
async function escapeAndKeepEditing(dialog: ReturnType<Page["getByRole"]>, screenshotName: string) {
  await page.keyboard.press("Escape");
  const ask = dialog.getByRole("alertdialog", { name: "Discard changes?" });
  await ask.waitFor();
  await expect.poll(() => hasFocus(ask.getByRole("button", { name: "Keep editing" }))).toBe(true);
  await screenshot(page, screenshotName);
  await page.keyboard.press("Enter");
  await ask.waitFor({ state: "detached" });
  await dialog.waitFor();
}

/** Escape, then Tab to Discard and Enter: the dialog closes and the focus is back on the button that opened it. */
async function escapeAndDiscard(dialog: ReturnType<Page["getByRole"]>, opener: ReturnType<Page["getByRole"]>) {
  await page.keyboard.press("Escape");
  const ask = dialog.getByRole("alertdialog", { name: "Discard changes?" });
  await ask.waitFor();
  await page.keyboard.press("Tab");
  expect(await hasFocus(ask.getByRole("button", { name: "Discard" }))).toBe(true);
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "detached" });
  await expect.poll(() => hasFocus(opener)).toBe(true);
}

describe("dialogs by keyboard alone", () => {
  it("the environment dialog keeps the focus, asks before discarding typed input, gives the focus back, and submits with Enter", async () => {
    await page.goto(`${seed.app.url}/projects/${seed.project.id}`);
    await settle(page);
    const opener = page.getByRole("button", { name: /^(Add|New) environment$/ }).first();
    await opener.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /environment/i });
    await dialog.waitFor();
    const name = dialog.getByLabel("Name", { exact: true });
    await expect.poll(() => hasFocus(name)).toBe(true);
    await expectFocusTrapped(dialog);

    // Nothing typed: Escape closes at once.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => hasFocus(opener)).toBe(true);

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await expect.poll(() => hasFocus(name)).toBe(true);
    await page.keyboard.type("Training");
    await escapeAndKeepEditing(dialog, "keyboard-environment-discard");
    expect(await name.inputValue()).toBe("Training");
    expect(await hasFocus(name)).toBe(true);
    await escapeAndDiscard(dialog, opener);

    // Open again: a fresh form, filled and submitted from the keyboard.
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await expect.poll(() => hasFocus(name)).toBe(true);
    expect(await name.inputValue()).toBe("");
    await page.keyboard.type("Training");
    const source = dialog.getByLabel("Source", { exact: true });
    await tabTo(page, source);
    for (const key of ["ArrowDown", "ArrowUp"]) {
      for (let i = 0; i < 6 && (await source.inputValue()) !== "postgres"; i++) await page.keyboard.press(key);
    }
    expect(await source.inputValue()).toBe("postgres");
    const user = dialog.getByLabel("User", { exact: true });
    await tabTo(page, user);
    await page.keyboard.type("odoo");
    const database = dialog.getByLabel("Database", { exact: true });
    await tabTo(page, database);
    await page.keyboard.type("acme_training");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    await page.getByText('Environment "Training" created').waitFor();
    await expect.poll(() => hasFocus(opener)).toBe(true);
    await screenshot(page, "keyboard-environment-created");
  });

  it("the restore wizard keeps the focus through its steps, asks before discarding a choice, and gives the focus back", async () => {
    await page.goto(`${seed.app.url}/projects/${seed.project.id}/environments/${seed.environment.id}`);
    await settle(page);
    const opener = page.getByRole("button", { name: "Restore", exact: true }).first();
    await opener.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Restore backup" });
    await dialog.waitFor();
    await expect.poll(() => holdsFocus(dialog)).toBe(true);
    await dialog.getByRole("radio").first().waitFor();
    await expectFocusTrapped(dialog);

    // Into the group of targets, then by arrow keys to "Original environment" (moving there chooses it).
    for (let i = 0; i < 40 && !(await page.evaluate(() => document.activeElement?.matches("input[type=radio]"))); i++) await page.keyboard.press("Tab");
    const original = dialog.getByRole("radio", { name: /^Original environment/ });
    await page.keyboard.press("ArrowDown");
    for (let i = 0; i < 6 && !(await hasFocus(original)); i++) await page.keyboard.press("ArrowUp");
    expect(await original.isChecked()).toBe(true);
    await escapeAndKeepEditing(dialog, "keyboard-restore-discard");
    expect(await original.isChecked()).toBe(true);

    // Through the steps with Tab and Enter on Next, the focus inside all along.
    for (let step = 0; step < 2; step++) {
      const next = dialog.getByRole("button", { name: "Next" });
      await tabTo(page, next);
      await page.keyboard.press("Enter");
      expect(await holdsFocus(dialog)).toBe(true);
    }
    await dialog.getByLabel(/Type RESTORE to confirm/).waitFor();
    await screenshot(page, "keyboard-restore-confirm");
    await escapeAndDiscard(dialog, opener);
  });
});
