import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "../helpers/browser";
import { consolePages, closeSeededConsole, openSeededConsole, type SeededConsole } from "../helpers/seeded-console";

let seed: SeededConsole;
let browser: Browser;
let page: Page;

const API = "**/api/trpc/**";
// What a reverse proxy answers while the console behind it is down.
const BAD_GATEWAY = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
// What a failed load must never look like: data that is gone, or a parser's complaint.
const EMPTY_STATE = /\bNo [a-z ]+ (yet|installed)\b|\bNo members\b/i;
const RAW_ERROR = /Unexpected token|not valid JSON|JSON\.parse|<!DOCTYPE|<html/i;

beforeAll(async () => ({ seed, browser, page } = await openSeededConsole("Outage Agency")));
afterAll(() => closeSeededConsole({ seed, browser }));

describe("with the API failing", () => {
  it("every page shows what could not be loaded, with Retry, and Retry brings the data once the API is back", async () => {
    const problems: string[] = [];
    for (const { name, path } of consolePages(seed)) {
      await page.route(API, (route) => route.fulfill({ status: 502, contentType: "text/html", body: BAD_GATEWAY }));
      await page.goto(`${seed.app.url}${path}`);
      const main = page.locator("main");
      const failures = main.getByRole("alert").filter({ hasText: /Could not load/ });
      // The client retries twice (about 3 s) before it shows the failure.
      const shown = await failures
        .first()
        .waitFor({ timeout: 20_000 })
        .then(() => true, () => false);
      const text = await main.innerText();
      await screenshot(page, `api-failure-${name}`);
      await page.unroute(API);
      if (!shown) problems.push(`${name}: no "Could not load …" panel`);
      if (EMPTY_STATE.test(text)) problems.push(`${name}: an empty state while nothing could be loaded: "${EMPTY_STATE.exec(text)![0]}"`);
      if (RAW_ERROR.test(text)) problems.push(`${name}: a raw error: "${RAW_ERROR.exec(text)![0]}"`);
      if (!shown) continue;
      if ((await failures.getByRole("button", { name: "Retry" }).count()) < (await failures.count())) problems.push(`${name}: an error panel without Retry`);

      // Each panel retries its own query; a page with several failed loads has several.
      for (let remaining = await failures.count(); remaining > 0; remaining = await failures.count()) {
        await failures.first().getByRole("button", { name: "Retry" }).click();
        await expect.poll(() => failures.count(), { timeout: 30_000, message: `${name}: Retry did not clear a panel` }).toBeLessThan(remaining);
      }
      await page.waitForLoadState("networkidle");
      if ((await failures.count()) > 0) problems.push(`${name}: still failing after Retry`);
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it("a save that gets no JSON answer says so instead of spinning", async () => {
    await page.goto(`${seed.app.url}/settings/general`);
    await page.getByRole("button", { name: "Save" }).waitFor();
    await page.route(API, (route) => route.fulfill({ status: 502, contentType: "text/html", body: BAD_GATEWAY }));
    await page.getByLabel("Organization name").fill("Outage Agency (renamed)");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/The console answered with an error page \(HTTP 502/).waitFor();
    expect(await page.locator("main").innerText()).not.toMatch(RAW_ERROR);
    await page.unroute(API);
  });
});
