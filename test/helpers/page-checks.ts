import type { Locator, Page } from "playwright-core";

/** Waits until a console page has drawn its heading and finished loading what it asked the API for. */
export async function settle(page: Page): Promise<void> {
  await page.locator("main h1").first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.locator('main [aria-busy="true"]').first().waitFor({ state: "detached" });
}

/**
 * What does not fit the window horizontally: the document scrolling sideways, or a visible button, link or table row
 * of the main content reaching past the window's left or right edge (cut off, or only reachable by scrolling).
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const problems: string[] = [];
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > width) problems.push(`the page scrolls sideways (${scrollWidth} px wide in a ${width} px window)`);
    const main = document.querySelector("main");
    for (const el of main?.querySelectorAll<HTMLElement>("button, a[href], [role=button], tr") ?? []) {
      const box = el.getBoundingClientRect();
      // Screen-reader-only text and what is not displayed have no size worth seeing.
      if (box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === "hidden") continue;
      if (box.left < -0.5 || box.right > width + 0.5) {
        const text = (el.innerText || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 50);
        problems.push(`${el.tagName.toLowerCase()} "${text}" spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
      }
    }
    return problems;
  });
}

/** Whether the element has the keyboard focus. */
export function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/** Whether the keyboard focus is inside the element. */
export function holdsFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.contains(document.activeElement));
}

/** Presses Tab until `target` has the focus (as a keyboard user would), failing after `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await hasFocus(target)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${String(target)} was not reached with ${max} presses of Tab`);
}
