import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityLog, backups, projects } from "@/server/db/schema";
import { browserPage, screenshot, signIn } from "../helpers/browser";
import { closeAll } from "../helpers/close-all";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";

/**
 * The Backups and Activity tables at the widths people use (1280, 1440, 1920 and a 390 px phone): no sideways
 * page scroll, every row's actions inside the window, the ⋯ menu by keyboard with Download / Restore / Delete
 * working, progress with a percentage, and the CSV export of a filtered log. One console, one browser.
 */
const WIDTHS = [1280, 1440, 1920, 390] as const;
const MB = 1024 * 1024;
const LONG_EMAIL = "maximilian.vandenberghe-longname@very-long-client-domain.example.test";
let c: ConsoleWithMembers;
let browser: Browser;
let page: Page;
const ids = {} as Record<"org" | "project" | "environment" | "completed" | "failed" | "running", string>;

async function seedBackups() {
  const base = { orgId: ids.org, projectId: ids.project, environmentId: ids.environment, retentionClass: "monthly" as const };
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  // Verified backups whose run read 200 MB: the running one's expected size.
  const completed = await c.t.db
    .insert(backups)
    .values(
      Array.from({ length: 6 }, (_, i) => ({
        ...base,
        type: i % 2 ? ("scheduled" as const) : ("manual" as const),
        status: "completed" as const,
        verified: true,
        name: i === 0 ? "Before the Odoo 18 upgrade of the accounting module" : "",
        notes: i === 0 ? "Taken at the client's request before their accountant closes the year; keep it until the auditors have signed off the 2026 accounts, then unpin." : "",
        sizeBytes: 48 * MB + i,
        progress: { phase: "completed", bytes: 200 * MB, updatedAt: at(600 + i).toISOString() },
        startedAt: at(602 + i * 60),
        finishedAt: at(600 + i * 60),
        createdAt: at(602 + i * 60),
      })),
    )
    .returning({ id: backups.id });
  ids.completed = completed[0]!.id;
  const [failed] = await c.t.db
    .insert(backups)
    .values({ ...base, type: "manual", status: "failed", error: "pg_dump: error: connection to server at \"db.globex.internal\" (10.0.4.12), port 5432 failed: FATAL: password authentication failed for user \"odoo\"", failureKind: "source", startedAt: at(30), finishedAt: at(29), createdAt: at(30) })
    .returning({ id: backups.id });
  ids.failed = failed!.id;
  // Half-way through, a minute in; its heartbeat ahead so no reaper takes it for lost while the test looks at it.
  const [running] = await c.t.db
    .insert(backups)
    .values({ ...base, type: "manual", status: "in_progress", progress: { phase: "dumping the database", bytes: 100 * MB, updatedAt: new Date().toISOString() }, heartbeatAt: new Date(now + 3600_000), startedAt: at(1), createdAt: at(1) })
    .returning({ id: backups.id });
  ids.running = running!.id;
}

async function seedActivity() {
  const row = { orgId: ids.org, targetType: "backup", targetId: ids.completed, targetLabel: "Globex International Holdings / production", outcome: "success" as const };
  await c.t.db.insert(activityLog).values([
    ...Array.from({ length: 40 }, (_, i) => ({ ...row, actorUserId: null, actorLabel: "Safehold", action: "backup.expire", message: `Removed ${170_123_456 + i} bytes: past the daily rule` })),
    { ...row, actorUserId: null, actorLabel: LONG_EMAIL, action: "backup.create", message: "Before the client's migration" },
  ]);
}

/** Fails when the page scrolls sideways or a row action lies outside the window. */
async function expectFits(label: string) {
  const { overflow, outside, actions } = await page.evaluate(() => {
    const width = window.innerWidth;
    const triggers = [...document.querySelectorAll<HTMLElement>("main [aria-label^='Actions for'], main [data-backup-id] button, main [data-restore-id] button")];
    const out = triggers.filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.left < 0 || r.right > width);
    });
    return { overflow: document.documentElement.scrollWidth - width, outside: out.map((el) => el.getAttribute("aria-label") ?? el.textContent), actions: triggers.length };
  });
  expect(overflow, `${label}: the page scrolls sideways`).toBeLessThanOrEqual(0);
  expect(outside, `${label}: actions outside the window`).toEqual([]);
  return actions;
}

beforeAll(async () => {
  c = await startConsoleWithMembers();
  ids.project = (await c.must("POST", "/projects", { name: "Globex International Holdings" })).id;
  const server = await c.must("POST", "/servers", { name: "This host", kind: "local", config: {} });
  ids.environment = (await c.must("POST", "/environments", { projectId: ids.project, serverId: server.id, name: "production", stage: "production", source: "postgres", sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" } })).id;
  const [project] = await c.t.db.select({ orgId: projects.orgId }).from(projects).where(eq(projects.id, ids.project));
  ids.org = project!.orgId;
  await seedBackups();
  await seedActivity();
  ({ browser, page } = await browserPage({ width: 1280, height: 900 }, { acceptDownloads: true }));
  await signIn(page, c.app.url, c.members.operator.email, "operator-password-1");
}, 180_000);

afterAll(() => closeAll(browser, c));

describe("the Backups table at every width", () => {
  it("keeps every row's actions in the window, Restore beside the menu on desktops, progress with a percentage", async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${c.app.url}/backups`);
      const row = page.locator(`[data-backup-id="${ids.running}"]`);
      await row.getByText("50 %").waitFor();
      await row.getByText(/about .* left/).waitFor();
      expect(await expectFits(`/backups at ${width}`)).toBeGreaterThan(8);
      // Every backup has its menu; a verified one offers Restore beside it where there is room.
      expect(await page.getByRole("button", { name: /^Actions for backup of/ }).count()).toBe(8);
      if (width >= 1280) await page.locator(`[data-backup-id="${ids.completed}"]`).getByRole("button", { name: "Restore", exact: true }).waitFor();
      // The long note is readable in full.
      const note = page.locator(`[data-backup-id="${ids.completed}"]`);
      await note.getByRole("button", { name: "more" }).click();
      await note.getByRole("button", { name: "less" }).waitFor();
      await screenshot(page, `tables-backups-${width}`);
    }
  });

  it("opens the ⋯ menu with the keyboard: Download and Restore open their dialogs, Delete deletes", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${c.app.url}/backups`);
    const trigger = page.locator(`[data-backup-id="${ids.completed}"]`).getByRole("button", { name: /^Actions for/ });
    await trigger.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Download" }).and(page.locator(":focus")).waitFor();
    await screenshot(page, "tables-backups-menu");
    await page.keyboard.press("Escape");
    await trigger.and(page.locator(":focus")).waitFor();

    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Download" }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Download backup" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });

    await trigger.focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowDown");
    await page.getByRole("menuitem", { name: "Restore" }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Restore backup" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });

    const failed = page.locator(`[data-backup-id="${ids.failed}"]`);
    await failed.getByRole("button", { name: /^Actions for/ }).focus();
    await page.keyboard.press("Enter");
    // A failed backup has nothing to download or restore.
    expect(await page.getByRole("menuitem").allTextContents()).toEqual(["Edit name and notes", "Delete"]);
    await page.keyboard.press("End");
    await page.getByRole("menuitem", { name: "Delete" }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("dialog", { name: "Delete backup" });
    await confirm.getByRole("button", { name: "Delete backup" }).click();
    await failed.waitFor({ state: "detached" });
    expect((await c.rest(c.members.viewer, "GET", `/backups/${ids.failed}`)).status).toBe(404);
  });
});

describe("the Activity log", () => {
  it("shows people by default, the console's own rows on System, readable sizes, and the Who column whole", async () => {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${c.app.url}/activity`);
      const who = page.getByText(LONG_EMAIL, { exact: true });
      await who.waitFor();
      expect(await page.locator("[data-system='true']").count(), "System rows are hidden by default").toBe(0);
      // Never cut: the whole address is laid out inside its cell.
      expect(await who.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && getComputedStyle(el).textOverflow !== "ellipsis")).toBe(true);
      await expectFits(`/activity at ${width}`);
      await screenshot(page, `tables-activity-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "System", exact: true }).click();
    await page.locator("[data-system='true']").first().waitFor();
    expect(await page.locator("[data-system='false']").count()).toBe(0);
    await page.getByText("Removed 162.2 MB: past the daily rule").first().waitFor();
    expect(await page.getByText(/Removed 170123456 bytes/).count()).toBe(0);
    await screenshot(page, "tables-activity-system");
  });

  it("exports the filtered log as CSV, the same rows as the REST filters give", async () => {
    await page.goto(`${c.app.url}/activity?who=system&q=${encodeURIComponent("Removed 17012346")}`);
    await page.locator("[data-system='true']").first().waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^safehold-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs.readFileSync((await download.path())!, "utf8").split("\r\n").filter(Boolean);
    const rest = await c.rest(c.members.viewer, "GET", `/activity?actors=system&q=${encodeURIComponent("Removed 17012346")}&limit=200`);
    const items = (rest.body as { items: Array<{ message: string }> }).items;
    expect(items).toHaveLength(10);
    expect(lines[0]).toBe("time,who,system,action,target_type,target,outcome,message");
    expect(lines.slice(1).map((l) => l.split(",").at(-1))).toEqual(items.map((i) => i.message));

    // Over a token too; never without one.
    const csv = await fetch(`${c.app.url}/api/v1/activity.csv?actors=people`, { headers: { authorization: `Bearer ${c.members.viewer.token}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="safehold-activity-/);
    expect(await csv.text()).toContain(LONG_EMAIL);
    expect((await fetch(`${c.app.url}/api/v1/activity.csv`)).status).toBe(401);
    expect((await fetch(`${c.app.url}/api/v1/activity.csv?projectId=nope`, { headers: { authorization: `Bearer ${c.members.viewer.token}` } })).status).toBe(400);
  });
});
