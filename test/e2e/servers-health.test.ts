import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups } from "@/server/db/schema";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { getOverride, putOrgPolicy } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createPostgresEnvironment } from "../helpers/backup-env";
import { screenshot, signedInPage } from "../helpers/browser";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

const HOUR = 3600_000;
const plugins = builtinPluginHost();
let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
const clients = {} as Record<"globex" | "initech", { projectId: string; environmentId: string }>;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Servers Agency"));
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-e2e-servers-storage-"));
  const storageId = (await createStorageLocation(t.db, plugins, owner, { name: "Primary disk", provider: "local", config: { path: storageDir }, isDefault: true })).id;
  const server = await createServer(t.db, plugins, owner, { name: "This host", kind: "local", config: {} });
  // Daily, twelve hours from now (UTC): no slot comes due while the test runs.
  await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, schedule: `0 ${(new Date().getUTCHours() + 12) % 24} * * *`, timezone: "UTC", spreadMinutes: 0 });
  const fake = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" };
  for (const [key, name, status] of [
    ["globex", "Globex Corporation", "failed"],
    ["initech", "Initech", "completed"],
  ] as const) {
    const project = await createProject(t.db, owner, { name, description: "" });
    const env = await createPostgresEnvironment(t.db, plugins, owner, { project, server }, fake, "production");
    const at = new Date(Date.now() - HOUR);
    await t.db.insert(backups).values({
      orgId: owner.orgId,
      projectId: project.id,
      environmentId: env.id,
      storageLocationId: storageId,
      type: "scheduled",
      status,
      retentionClass: "daily",
      sizeBytes: status === "completed" ? 1_000_000 : null,
      error: status === "failed" ? "pg_dump: connection refused" : null,
      failureKind: status === "failed" ? "source" : null,
      startedAt: new Date(at.getTime() - 60_000),
      finishedAt: at,
      createdAt: new Date(at.getTime() - 60_000),
    });
    clients[key] = { projectId: project.id, environmentId: env.id };
  }
  app = await startTestConsole(t, "servers");
  ({ browser, page } = await signedInPage(app.url, owner.label, TEST_PASSWORD));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.drop();
});

describe("servers' health and an override across clients", () => {
  it("tests a server inline and shows how many of its environments fail", async () => {
    await page.goto(`${app.url}/servers`);
    const row = page.getByRole("row", { name: /This host/ });
    await row.getByText("2 environments").waitFor();
    await row.getByText("1 failing").waitFor();
    await row.getByRole("button", { name: "Test" }).click();
    await page.getByRole("status").filter({ hasText: "is reachable" }).waitFor();
    await screenshot(page, "servers-health-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "servers-health-390");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("applies one override to environments of two clients from the Projects page", async () => {
    await page.goto(`${app.url}/projects`);
    for (const name of ["Globex Corporation", "Initech"]) {
      await page.getByRole("button", { name: `Show the environments of ${name}` }).click();
    }
    const boxes = page.getByRole("checkbox", { name: "Select production" });
    await boxes.nth(1).waitFor();
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await screenshot(page, "servers-health-projects-selected-1280");
    await page.getByRole("button", { name: "Apply policy override… (2)" }).click();
    const dialog = page.getByRole("dialog", { name: "Apply policy override" });
    await dialog.getByText("Globex Corporation / production").waitFor();
    await dialog.getByLabel("Set retention (GFS)").check();
    await dialog.getByLabel("Keep yearly").fill("5");
    await dialog.getByRole("button", { name: "Apply to 2 environments" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Policy override applied to 2 environments").waitFor();
    expect(await page.getByRole("button", { name: /Apply policy override/ }).count()).toBe(0);
    for (const { projectId, environmentId } of Object.values(clients)) {
      expect(await getOverride(t.db, owner, environmentId)).toMatchObject({ retention: { yearly: 5 } });
      await page.goto(`${app.url}/projects/${projectId}`);
      await page.getByRole("row", { name: /production/ }).getByText("Custom").waitFor();
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/projects`);
    await page.getByRole("button", { name: "Show the environments of Initech" }).click();
    await page.getByRole("checkbox", { name: "Select production" }).check();
    await page.getByRole("button", { name: "Apply policy override… (1)" }).waitFor();
    await screenshot(page, "servers-health-projects-selected-390");
  });
});
