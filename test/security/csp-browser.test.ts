import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot, signIn } from "../helpers/browser";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";

/**
 * The console works under its Content-Security-Policy (nonces, no eval): a browser signs in and goes through
 * pages while every CSP violation and console error is recorded.
 */
let c: ConsoleWithMembers;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  c = await startConsoleWithMembers();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  // Registered before any page script runs, so a violation during hydration is caught too.
  await context.exposeFunction("reportViolation", (text: string) => problems.push(text));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page = await context.newPage();
  page.on("console", (message) => {
    // The console has no favicon; the browser's request for one is not what this test is about.
    if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico")) problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

describe("the console under its Content-Security-Policy", () => {
  it("signs in, renders the dashboard and pages with their styles, with no violation or console error", async () => {
    await c.rest(c.members.operator, "POST", "/projects", { name: "Northwind under CSP" });
    await signIn(page, c.app.url, c.members.owner.email, "owner-password-1");
    await page.waitForLoadState("networkidle");
    await screenshot(page, "csp-dashboard");
    // The stylesheet applied: the sidebar has its dark background (bg-slate-900), not a browser default.
    const sidebar = await page.evaluate(() => getComputedStyle(document.querySelector("aside")!).backgroundColor);
    expect(sidebar).not.toBe("rgba(0, 0, 0, 0)");

    for (const [path, heading] of [
      ["/projects", "Projects"],
      ["/backups", "Backups"],
      ["/settings/storage", "Settings"],
      ["/settings/members", "Settings"],
    ] as const) {
      await page.goto(`${c.app.url}${path}`);
      await page.getByRole("heading", { name: heading, exact: true }).first().waitFor();
      if (path === "/projects") await page.getByText("Northwind under CSP").first().waitFor();
    }
    // A client-side navigation loads further chunks through the nonce'd scripts ('strict-dynamic').
    await page.getByRole("link", { name: "Activity" }).first().click();
    await page.waitForURL(`${c.app.url}/activity`);
    await page.getByRole("heading", { name: "Activity", exact: true }).first().waitFor();
    // Data loaded through tRPC (connect-src 'self'): the activity list shows the project created above.
    // Visible text: the project filter's <option> carries the name too.
    await page.getByText("Northwind under CSP").locator("visible=true").first().waitFor();
    await screenshot(page, "csp-activity");
    expect(problems).toEqual([]);
  });

  it("blocks an inline handler from injected markup (the policy is enforced, not only sent)", async () => {
    const ran = await page.evaluate(async () => {
      // Markup with an inline handler, as an injection would bring it.
      const holder = document.createElement("div");
      holder.innerHTML = '<img src="x:" onerror="window.__fromMarkup = true">';
      document.body.append(holder);
      await new Promise((r) => setTimeout(r, 200));
      return (window as unknown as { __fromMarkup?: boolean }).__fromMarkup === true;
    });
    expect(ran).toBe(false);
    expect(problems.some((p) => p.includes("CSP violation: script-src"))).toBe(true);
  });
});
