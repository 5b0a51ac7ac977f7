import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "../helpers/browser";
import { TEST_PASSWORD } from "../helpers/fixtures";
import { hasFocus, holdsFocus, horizontalOverflow, settle } from "../helpers/page-checks";
import { consolePages, closeSeededConsole, openSeededConsole, type SeededConsole } from "../helpers/seeded-console";

let seed: SeededConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => ({ seed, browser, page } = await openSeededConsole("Widths Agency")));
afterAll(() => closeSeededConsole({ seed, browser }));

describe("every console page fits the window", () => {
  for (const width of [1280, 1440, 390]) {
    it(`at ${width} px: nothing scrolls sideways and every action is on screen`, async () => {
      await page.setViewportSize({ width, height: width < 768 ? 844 : 900 });
      const problems: string[] = [];
      for (const { name, path } of consolePages(seed)) {
        await page.goto(`${seed.app.url}${path}`);
        await settle(page);
        for (const problem of await horizontalOverflow(page)) problems.push(`${name}: ${problem}`);
        await screenshot(page, `widths-${name}-${width}`);
      }
      expect(problems).toEqual([]);
    }, 240_000);
  }
});

describe("the app shell", () => {
  it("collapses the sidebar to icons on a desktop, and remembers it", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${seed.app.url}/servers`);
    await settle(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    const wide = (await page.locator("main").boundingBox())!.width;
    await page.getByRole("button", { name: "Collapse sidebar" }).click();
    await page.getByRole("button", { name: "Expand sidebar" }).waitFor();
    // Icons only: the names stay for screen readers and tooltips.
    await expect(nav.getByRole("link", { name: "Servers" }).getAttribute("title")).resolves.toBe("Servers");
    expect((await page.locator("main").boundingBox())!.width).toBeGreaterThan(wide + 100);
    await page.reload();
    await page.getByRole("button", { name: "Expand sidebar" }).waitFor();
    await screenshot(page, "shell-sidebar-collapsed-1280");
    await page.getByRole("button", { name: "Expand sidebar" }).click();
    await page.getByRole("button", { name: "Collapse sidebar" }).waitFor();
  });

  it("on a phone, opens the menu as a drawer that keeps the focus and gives it back", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${seed.app.url}/servers`);
    await settle(page);
    const open = page.getByRole("button", { name: "Open menu" });
    await open.focus();
    await page.keyboard.press("Enter");
    const drawer = page.getByRole("dialog", { name: "Menu" });
    await drawer.waitFor();
    await screenshot(page, "shell-drawer-390");
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press("Tab");
      expect(await holdsFocus(drawer)).toBe(true);
    }
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });
    await expect.poll(() => hasFocus(open)).toBe(true);
    // A link closes the drawer and goes there.
    await open.click();
    await drawer.getByRole("link", { name: "Projects" }).click();
    await page.waitForURL(/\/projects$/);
    await drawer.waitFor({ state: "detached" });
  });

  it("follows the system's dark mode, and the toggle overrides it", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    const pages = consolePages(seed).filter((p) => ["dashboard", "project", "environment", "settings-storage"].includes(p.name));
    for (const { name, path } of pages) {
      await page.goto(`${seed.app.url}${path}`);
      await settle(page);
      await expect(page.locator("html").getAttribute("class")).resolves.toContain("dark");
      await screenshot(page, `dark-${name}-1440`);
    }
    const theme = page.getByRole("radiogroup", { name: "Theme" });
    await theme.getByRole("radio", { name: "Light" }).click();
    await expect.poll(() => page.locator("html").getAttribute("class")).not.toContain("dark");
    await page.reload();
    await settle(page);
    await expect(page.locator("html").getAttribute("class")).resolves.not.toContain("dark");
    await theme.getByRole("radio", { name: "System" }).click();
    await expect.poll(() => page.locator("html").getAttribute("class")).toContain("dark");
    await page.emulateMedia({ colorScheme: "light" });
  });
});

describe("addresses", () => {
  it("names the client and environment in the tab title", async () => {
    await page.goto(`${seed.app.url}/projects/${seed.project.id}`);
    await expect(page.title()).resolves.toBe(`${seed.project.name} · Safehold`);
    await page.goto(`${seed.app.url}/projects/${seed.project.id}/environments/${seed.environment.id}`);
    await expect(page.title()).resolves.toBe(`${seed.project.name} · ${seed.environment.name} · Safehold`);
  });

  it("answers 404 with a way back for a project or environment that does not exist", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/projects/${missing}`, `/projects/${seed.project.id}/environments/${missing}`, `/projects/not-an-id`, "/no-such-page"]) {
      const response = await page.goto(`${seed.app.url}${path}`);
      expect(response?.status(), path).toBe(404);
      await page.getByRole("heading", { name: "Page not found" }).waitFor();
    }
    await screenshot(page, "not-found-1440");
    await page.getByRole("link", { name: "Back to the dashboard" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // Inside the console, the 404 keeps the sidebar.
    await page.goto(`${seed.app.url}/projects/${missing}`);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  });

  it("signs in from a deep link and lands on that page", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const fresh = await context.newPage();
    const deepLink = `/projects/${seed.project.id}/environments/${seed.environment.id}?tab=settings`;
    await fresh.goto(`${seed.app.url}${deepLink}`);
    await fresh.waitForURL(/\/signin\?callbackUrl=/);
    await fresh.getByLabel("Email").fill(seed.owner.label);
    await fresh.getByLabel("Password").fill(TEST_PASSWORD);
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh.waitForURL((url) => `${url.pathname}${url.search}` === deepLink);
    await fresh.locator("main h1").first().waitFor();
    await context.close();
  });
});
