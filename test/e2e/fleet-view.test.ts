import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups, environments } from "@/server/db/schema";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createPostgresEnvironment } from "../helpers/backup-env";
import { screenshot, screenshotOf, signedInPage, signIn } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

const HOUR = 3600_000;
const BACKUP_TIMEOUT_MS = 120_000;
const plugins = builtinPluginHost();
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let storageId: string;
const WORST = "Zenith Logistics International Holdings";
const STALEST = "Umbra Analytics";
const ids = {} as Record<"worst" | "worstEnv" | "stalest" | "stalestEnv", string>;

/** A finished backup row as a worker leaves it, for history the test does not wait for. */
async function finished(env: { id: string; projectId: string }, status: "completed" | "failed", at: Date, error?: string) {
  await t.db.insert(backups).values({
    orgId: owner.orgId,
    projectId: env.projectId,
    environmentId: env.id,
    storageLocationId: storageId,
    type: "scheduled",
    status,
    retentionClass: "daily",
    verified: status === "completed",
    sizeBytes: status === "completed" ? 120_000_000 : null,
    error: status === "failed" ? (error ?? "pg_dump failed") : null,
    failureKind: status === "failed" ? "source" : null,
    startedAt: new Date(at.getTime() - 60_000),
    finishedAt: at,
    createdAt: new Date(at.getTime() - 60_000),
  });
}

/**
 * 50 clients: one failing (its newest run failed), eight overdue, one whose slot passed before any backup (the
 * console's scheduler catches it up), six new ones whose first run is ahead, one with backups off, 33 healthy.
 * The failing and the stalest overdue client point at a real database, so their backups run for real.
 */
async function seedFleet(server: { id: string }) {
  const fake = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" };
  const add = async (name: string, envNames: string[], real = false) => {
    const project = await createProject(t.db, owner, { name, description: "" });
    const envs = [];
    for (const env of envNames) envs.push(await createPostgresEnvironment(t.db, plugins, owner, { project, server }, real ? client : fake, env));
    return { project, envs };
  };
  const now = Date.now();
  const worst = await add(WORST, ["production"], true);
  await finished(worst.envs[0]!, "completed", new Date(now - 3 * 24 * HOUR));
  await finished(worst.envs[0]!, "failed", new Date(now - HOUR), "pg_dump: error: connection to server at \"10.0.4.7\", port 5432 failed: Connection refused");
  Object.assign(ids, { worst: worst.project.id, worstEnv: worst.envs[0]!.id });

  const stalest = await add(STALEST, ["production"], true);
  await finished(stalest.envs[0]!, "completed", new Date(now - 60 * HOUR));
  Object.assign(ids, { stalest: stalest.project.id, stalestEnv: stalest.envs[0]!.id });
  for (let i = 1; i <= 7; i++) await finished((await add(`Overdue Client ${i}`, ["production"])).envs[0]!, "completed", new Date(now - (30 + i) * HOUR));

  const caughtUp = await add("Late Starter", ["production"], true);
  await t.db.update(environments).set({ createdAt: new Date(now - 3 * 24 * HOUR), updatedAt: new Date() }).where(eq(environments.id, caughtUp.envs[0]!.id));
  await t.db.execute(sql`update backup_policies set updated_at = now() - interval '3 days' where org_id = ${owner.orgId} and environment_id is null`);

  for (let i = 1; i <= 6; i++) await add(`New Client ${i}`, ["production", "staging"]);
  const off = await add("Dormant Client", ["production"]);
  await putOverride(t.db, owner, off.envs[0]!.id, { enabled: false });
  for (let i = 1; i <= 33; i++) {
    const healthy = await add(`Healthy Client ${String(i).padStart(2, "0")}`, i % 3 === 0 ? ["production", "staging"] : ["production"]);
    for (const env of healthy.envs) await finished(env, "completed", new Date(now - 2 * HOUR));
  }
}

const rows = () => page.getByTestId("fleet-row");
const rowOf = (name: string) => rows().filter({ has: page.getByRole("link", { name, exact: true }) });

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Fleet Agency"));
  client = await createClientDatabase();
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-fleet-storage-"));
  storageId = (await createStorageLocation(t.db, plugins, owner, { name: "Primary disk", provider: "local", config: { path: storageDir }, isDefault: true })).id;
  const server = await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {} });
  // Daily, twelve hours from now (UTC): no slot comes due while the test runs.
  await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, schedule: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`, timezone: "UTC", spreadMinutes: 0 });
  await seedFleet(server);
  app = await startTestConsole(t, "fleet");
  ({ browser, page } = await signedInPage(app.url, owner.label, TEST_PASSWORD));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await client?.drop();
  await t?.drop();
});

describe("the fleet view", () => {
  it("lists 50 clients worst first, the failing one with its reason, its name whole, and no page scroll at 1280 px", async () => {
    await page.getByRole("link", { name: "Projects", exact: true }).click();
    await rows().first().waitFor();
    expect(await rows().count()).toBe(50);
    const first = rows().first();
    await first.getByRole("link", { name: WORST, exact: true }).waitFor();
    await first.getByText("Failing", { exact: true }).waitFor();
    await first.getByText(/connection to server at "10\.0\.4\.7".*Connection refused/).first().waitFor();
    // The overdue clients follow, the one without a success for longest first.
    await rows().nth(1).getByRole("link", { name: STALEST, exact: true }).waitFor();
    await rows().nth(1).getByText("Overdue", { exact: true }).waitFor();
    // A new client waiting for its first run is neutral, with when it comes.
    await rowOf("New Client 1").getByText(/First backup scheduled in \d+ h/).first().waitFor();
    // The name whole (wrapped, never cut to "Zenith Logistics Internation…"), inside its cell.
    const name = first.getByRole("link", { name: WORST, exact: true });
    expect(await name.evaluate((el) => el.textContent === el.getAttribute("title") || getComputedStyle(el).textOverflow !== "ellipsis")).toBe(true);
    expect(await name.evaluate((el) => el.getBoundingClientRect().right <= el.closest("td")!.getBoundingClientRect().right)).toBe(true);
    // Nothing scrolls sideways, the table included, and the row's actions are on screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await page.getByRole("table", { name: "Client health" }).evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth)).toBe(true);
    const retry = await first.getByRole("button", { name: "Retry" }).boundingBox();
    expect(retry!.x + retry!.width).toBeLessThanOrEqual(1280);
    await screenshot(page, "fleet-01-projects-1280");

    // Sortable: by client name, then back to worst first.
    await page.getByRole("button", { name: "Client", exact: true }).click();
    await rows().first().getByRole("link", { name: "Dormant Client", exact: true }).waitFor();
    await page.getByRole("button", { name: "Status", exact: true }).click();
    await rows().first().getByRole("link", { name: WORST, exact: true }).waitFor();
    // Search narrows the table to matching clients and environments.
    await page.getByLabel("Search projects").fill("zenith");
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByLabel("Search projects").fill("");
    await expect.poll(() => rows().count()).toBe(50);
  });

  it("opens the failed backup's log, and Retry backs the worst client up for real: its row turns OK", async () => {
    const worst = rowOf(WORST);
    await worst.getByRole("button", { name: "Open log" }).click();
    const log = page.getByRole("dialog", { name: `Failed backup of production` });
    await log.getByRole("alert").getByText(/Connection refused/).waitFor();
    await screenshotOf(log, "fleet-02-open-log");
    await log.getByRole("button", { name: "Close" }).click();

    await worst.getByRole("button", { name: "Retry" }).click();
    await worst.getByRole("status").getByText(/Queued…|Backing up…/).waitFor();
    await worst.getByText("OK", { exact: true }).waitFor({ timeout: BACKUP_TIMEOUT_MS });
    await worst.getByText("just now").waitFor();
    const [taken] = await t.db.select().from(backups).where(and(eq(backups.environmentId, ids.worstEnv), eq(backups.type, "manual")));
    expect(taken).toMatchObject({ status: "completed", verified: true, requestedBy: owner.userId });

    // The stalest overdue client is now first; its Back up now works the same way.
    await rows().first().getByRole("link", { name: STALEST, exact: true }).waitFor();
    await rows().first().getByRole("button", { name: "Back up now" }).click();
    await rowOf(STALEST).getByText("OK", { exact: true }).waitFor({ timeout: BACKUP_TIMEOUT_MS });
    await screenshot(page, "fleet-03-after-backups");
  });

  it("shows the same health at the top of a project and of an environment", async () => {
    await page.goto(`${app.url}/projects/${ids.stalest}`);
    const health = page.getByRole("region", { name: "Backup health" });
    await health.getByText("OK", { exact: true }).waitFor();
    await health.getByText("Next run").waitFor();
    await health.getByText(/^(just now|\d+ min ago)$/).waitFor();
    await screenshot(page, "fleet-04-project-header");
    await page.goto(`${app.url}/projects/${ids.worst}/environments/${ids.worstEnv}`);
    await page.getByRole("region", { name: "Backup health" }).getByText("Stored").waitFor();
    await screenshot(page, "fleet-05-environment-header");
  });

  it("jumps to an environment with ⌘K / Ctrl+K", async () => {
    await page.goto(`${app.url}/projects`);
    await rows().first().waitFor();
    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Search clients, environments and backups" });
    await palette.getByPlaceholder("Search clients, environments, backups…").fill("zenith");
    const environmentsGroup = palette.getByRole("group", { name: "Environments" });
    const zenith = environmentsGroup.getByRole("option", { name: new RegExp(`${WORST} / production`) });
    await zenith.waitFor();
    expect(await palette.getByRole("option").filter({ hasNotText: "Zenith" }).count()).toBe(0);
    await screenshotOf(palette, "fleet-06-command-palette");
    await zenith.click();
    await page.waitForURL(`${app.url}/projects/${ids.worst}/environments/${ids.worstEnv}`);
    await page.getByRole("heading", { name: "production", exact: true }).waitFor();
    await expect.poll(() => palette.count()).toBe(0);
    // The sidebar's Search… button opens it too; Escape closes it.
    await page.getByRole("button", { name: /Search…/ }).click();
    await palette.waitFor();
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "detached" });
  });

  it("groups the dashboard's identical next runs and leads Needs attention with the client", async () => {
    await page.goto(app.url);
    await page.getByRole("list", { name: "Next runs" }).getByRole("button", { name: /· \d+ environments/ }).first().waitFor();
    await screenshot(page, "fleet-07-dashboard-1280");
  });

  it("stacks the client table on a 390 px phone", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(phone, app.url, owner.label, TEST_PASSWORD);
    await phone.goto(`${app.url}/projects`);
    const first = phone.getByTestId("fleet-row").first();
    await first.waitFor();
    // Each row is a card: its cells stack in at most two columns instead of seven side by side.
    const columns = await first.evaluate((row) => new Set([...row.children].filter((cell) => cell.getBoundingClientRect().width > 0).map((cell) => Math.round(cell.getBoundingClientRect().left))).size);
    expect(columns).toBeLessThanOrEqual(2);
    await screenshot(phone, "fleet-08-projects-390");
    await phone.close();
  });
});
