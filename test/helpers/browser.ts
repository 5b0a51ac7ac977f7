import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { ROOT } from "./console-process";

export const SCREENSHOTS = path.join(ROOT, "test/.artifacts/screenshots");

/** Debian's chromium, headless, with nothing reaching beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A screenshot of one element, such as a dialog, whole: the window is made tall enough for it first (a full-page
 * screenshot shows a fixed dialog's first screen only), then given back its size.
 */
export async function screenshotOf(element: Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const page = element.page();
  const size = page.viewportSize();
  const box = await element.boundingBox();
  // Dialogs sit 10% of the window's height from its top.
  const needed = box ? Math.ceil(box.height / 0.9) + 48 : 0;
  if (size && needed > size.height) await page.setViewportSize({ width: size.width, height: needed });
  try {
    await element.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  } finally {
    if (size && needed > size.height) await page.setViewportSize(size);
  }
}

/** Every response body the page receives (pages, RSC payloads, API calls), to check that no secret reaches the browser. */
export function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 300 && response.status() < 400) return;
    response.text().then(
      (text) => bodies.push(text),
      () => {},
    );
  });
  return bodies;
}

/**
 * Signs in through the sign-in page and waits for the dashboard. A fresh Chromium on Linux may see the machine's
 * interfaces change under its first navigation and abort it with net::ERR_NETWORK_CHANGED, even to 127.0.0.1: that
 * one navigation is tried again.
 */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`).catch(async (err: Error) => {
    if (!err.message.includes("net::ERR_NETWORK_CHANGED")) throw err;
    await page.goto(`${baseUrl}/signin`);
  });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
}

/** A fresh browser with one page of `viewport`, not signed in. */
export async function browserPage(viewport: { width: number; height: number }, options: { acceptDownloads?: boolean } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  return { browser, page: await (await browser.newContext({ viewport, ...options })).newPage() };
}

/** A fresh browser with one page (1280 × 900 unless told), signed in as `email`. */
export async function signedInPage(baseUrl: string, email: string, password: string, viewport = { width: 1280, height: 900 }): Promise<{ browser: Browser; page: Page }> {
  const opened = await browserPage(viewport);
  await signIn(opened.page, baseUrl, email, password);
  return opened;
}

/** An environment page's "Backup policy" card. */
export function policyCard(page: Page): Locator {
  return page.locator("section", { has: page.getByRole("heading", { name: "Backup policy", exact: true }) });
}

/** The card's row of one policy field (its value, where it comes from, Override). */
export function policyFieldRow(page: Page, name: string): Locator {
  return policyCard(page).getByRole("row", { name, exact: true });
}
