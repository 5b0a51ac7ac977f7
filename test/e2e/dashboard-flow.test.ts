import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { FailureKind } from "@/shared/enum-values";
import { backups } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createPostgresEnvironment, waitForBackup } from "../helpers/backup-env";
import { browserPage, screenshot, signIn } from "../helpers/browser";
import { closeAll } from "../helpers/close-all";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

const DAY = 24 * 3600_000;
const plugins = builtinPluginHost();
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let northwind: { id: string };
let contoso: { id: string };
let storageId: string;

/** A finished backup row as a worker leaves it, for history the test does not wait a month for. */
async function finished(project: { id: string }, environmentId: string, status: "completed" | "failed", at: Date, failureKind: FailureKind = "source") {
  await t.db.insert(backups).values({
    orgId: owner.orgId,
    projectId: project.id,
    environmentId,
    storageLocationId: storageId,
    type: "scheduled",
    status,
    retentionClass: "daily",
    verified: status === "completed",
    sizeBytes: status === "completed" ? 48_000_000 + Math.round(at.getTime() % 5_000_000) : null,
    error: status === "failed" ? (failureKind === "storage" ? "The disk holding /srv/backups is full" : "pg_dump was stopped by signal SIGKILL before the dump was complete") : null,
    failureKind: status === "failed" ? failureKind : null,
    progress: { phase: status === "failed" ? "failed" : "completed", bytes: 0, updatedAt: at.toISOString() },
    startedAt: new Date(at.getTime() - 90_000),
    finishedAt: at,
    createdAt: new Date(at.getTime() - 90_000),
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Dashboard Agency"));
  client = await createClientDatabase();
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-dashboard-storage-"));
  storageId = (await createStorageLocation(t.db, plugins, owner, { name: "Primary disk", provider: "local", config: { path: storageDir }, isDefault: true })).id;
  const server = await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {} });
  // A 4-hour start window opening twelve hours from now (UTC): nothing comes due while the test runs.
  await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, schedule: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`, spreadMinutes: 240 });
  northwind = await createProject(t.db, owner, { name: "Northwind Traders", description: "" });
  contoso = await createProject(t.db, owner, { name: "Contoso Ltd", description: "" });
  const at = (project: { id: string }) => ({ project, server });
  const northwindProduction = await createPostgresEnvironment(t.db, plugins, owner, at(northwind), client, "production");
  const northwindCrm = await createPostgresEnvironment(t.db, plugins, owner, at(northwind), { ...client, password: "stale-password" }, "crm");
  await createPostgresEnvironment(t.db, plugins, owner, at(northwind), client, "staging");
  const contosoProduction = await createPostgresEnvironment(t.db, plugins, owner, at(contoso), client, "production");
  const contosoStaging = await createPostgresEnvironment(t.db, plugins, owner, at(contoso), client, "staging");
  const contosoDevelopment = await createPostgresEnvironment(t.db, plugins, owner, at(contoso), client, "development");
  await putOverride(t.db, owner, contosoDevelopment.id, { enabled: false });

  // A month of history: Contoso's production backed up daily (failing some days), its staging failing in storage lately.
  const now = Date.now();
  for (let day = 29; day >= 1; day--) {
    await finished(contoso, contosoProduction.id, day % 9 === 4 ? "failed" : "completed", new Date(now - day * DAY));
    if (day % 3 === 0) await finished(contoso, contosoStaging.id, "completed", new Date(now - day * DAY - 3600_000));
  }
  await finished(contoso, contosoProduction.id, "completed", new Date(now - 2 * 3600_000));
  await finished(contoso, contosoStaging.id, "failed", new Date(now - 3 * 3600_000), "storage");

  // The console runs its own worker: a real backup that completes and one that fails.
  app = await startTestConsole(t, "dashboard");
  const good = await createBackup(t.db, owner, { environmentId: northwindProduction.id, name: "Before the upgrade", notes: "", includeFilestore: true, retention: "monthly" });
  const bad = await createBackup(t.db, owner, { environmentId: northwindCrm.id, name: "", notes: "", includeFilestore: true, retention: "daily" });
  expect(await waitForBackup(t.db, owner, good.id)).toMatchObject({ status: "completed", verified: true });
  expect(await waitForBackup(t.db, owner, bad.id)).toMatchObject({ status: "failed" });

  ({ browser, page } = await browserPage({ width: 1360, height: 900 }));
});

afterAll(() => closeAll(browser, app, client, t));

describe("the dashboard and the org Backups page", () => {
  it("shows compliance, why environments need attention, and 30 days of backups", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    // 5 environments have backups enabled (Contoso's development does not); Northwind and Contoso production are recent.
    await expect(page.getByTestId("compliance-percent").textContent()).resolves.toBe("40%");
    await page.getByText("2 of 5 recently backed up").waitFor();
    const attention = page.locator("#needs-attention");
    for (const [environment, reason] of [
      ["staging", "Storage error"],
      ["crm", "Last backup failed"],
    ]) {
      await attention.getByRole("row", { name: new RegExp(`${environment}.*${reason}`) }).waitFor();
    }
    // Northwind's staging is new and its window opens in twelve hours: waiting for its first run, not failing.
    await attention.getByText(/^First backup scheduled in \d+ h$/).waitFor();
    expect(await attention.getByRole("link", { name: "crm" }).getAttribute("href")).toMatch(new RegExp(`^/projects/${northwind.id}/environments/[0-9a-f-]{36}$`));
    await expect(page.getByTestId("failures-24h").textContent()).resolves.toBe("2");

    const bars = page.getByRole("group", { name: "Completed and failed backups per day" }).getByRole("img");
    expect(await bars.count()).toBe(30);
    const labels = await bars.evaluateAll((els) => els.map((el) => el.getAttribute("aria-label") ?? ""));
    expect(labels.filter((l) => !l.endsWith(": 0 completed, 0 failed")).length).toBeGreaterThanOrEqual(29);
    expect(labels.some((l) => / [1-9]\d* failed$/.test(l))).toBe(true);
    const heights = await bars.evaluateAll((els) => els.map((el) => (el.firstElementChild as HTMLElement | null)?.getBoundingClientRect().height ?? 0));
    expect(heights.filter((h) => h > 4).length).toBeGreaterThanOrEqual(20);
    await page.getByText("Next scheduled backups").waitFor();
    await page.getByRole("list", { name: "Next windows" }).getByText("5 environments").waitFor();
    await page.getByText("Primary disk").waitFor();
    await screenshot(page, "dashboard-01-overview");
  });

  it("filters backups by status and project in the URL, which survives a reload and the back button", async () => {
    await page.getByRole("link", { name: "Backups", exact: true }).click();
    await page.getByRole("heading", { name: "Backups", exact: true }).waitFor();
    const tabs = page.getByRole("navigation", { name: "Status" });
    await tabs.getByRole("link", { name: /^Failed/ }).click();
    await page.waitForURL(/status=failed/);
    await page.getByRole("row", { name: /crm/ }).waitFor();
    await page.getByLabel("Project").selectOption({ label: "Contoso Ltd" });
    await page.waitForURL(new RegExp(`status=failed.*project=${contoso.id}|project=${contoso.id}.*status=failed`));
    await page.getByRole("row", { name: /crm/ }).waitFor({ state: "detached" });
    await page.getByRole("row", { name: /The disk holding \/srv\/backups is full/ }).waitFor();
    const failedRows = async () => page.getByRole("row").filter({ hasText: "Contoso Ltd" }).count();
    const rows = await failedRows();
    expect(rows).toBe(4);
    await expect.poll(() => tabs.getByRole("link", { name: /^Failed/ }).textContent()).toBe("Failed4");
    await screenshot(page, "backups-01-filtered");

    await page.reload();
    await page.getByRole("row", { name: /The disk holding \/srv\/backups is full/ }).waitFor();
    expect(await failedRows()).toBe(rows);
    await page.getByLabel("Project").locator("option", { hasText: "Contoso Ltd" }).waitFor({ state: "attached" });
    await expect(page.getByLabel("Project").inputValue()).resolves.toBe(contoso.id);
    await expect(tabs.getByRole("link", { name: /^Failed/ }).getAttribute("aria-current")).resolves.toBe("page");

    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("status") === "failed" && !url.searchParams.has("project"));
    await page.getByRole("row", { name: /crm/ }).waitFor();
    await expect(page.getByLabel("Project").inputValue()).resolves.toBe("");
    await page.goBack();
    await page.waitForURL((url) => url.pathname === "/backups" && url.search === "");
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor();
  });

  it("searches by environment or project name and narrows environments to the chosen project", async () => {
    await page.getByLabel("Search").fill("northw");
    await page.waitForURL(/q=northw/);
    await page.getByRole("row").filter({ hasText: "Contoso Ltd" }).first().waitFor({ state: "detached" });
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor();
    await page.getByLabel("Project").selectOption({ label: "Northwind Traders" });
    await page.getByLabel("Environment").locator("option", { hasText: "crm" }).waitFor({ state: "attached" });
    const environments = await page.getByLabel("Environment").locator("option").allTextContents();
    expect(environments).toEqual(["All environments", "crm", "production", "staging"]);
    await page.getByLabel("Environment").selectOption({ label: "production" });
    await page.waitForURL(/environment=/);
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor();
    await expect.poll(() => page.getByRole("navigation", { name: "Status" }).getByRole("link", { name: /^All/ }).textContent()).toBe("All1");
    const today = new Date().toLocaleDateString("en-CA");
    await page.getByLabel("From").fill(today);
    await page.waitForURL(new RegExp(`from=${today}`));
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor();
    await page.getByLabel("To").fill("2000-01-01");
    await page.getByText("No backup matches these filters").waitFor();
    await page.getByLabel("To").fill(today);
    await page.getByRole("row", { name: /Before the upgrade/ }).waitFor();
    await screenshot(page, "backups-02-search");
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await page.waitForURL((url) => url.search === "");
    await expect(page.getByLabel("Search").inputValue()).resolves.toBe("");
  });
});
