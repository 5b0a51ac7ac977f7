import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupArtifacts } from "@/server/db/schema";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackup } from "@/server/services/backup-lifecycle";
import { putOrgPolicy } from "@/server/services/backup-policies";
import { createBackupSetup, createPostgresEnvironment, waitForBackup } from "../helpers/backup-env";
import { browserPage, screenshot, screenshotOf, signIn } from "../helpers/browser";
import { closeAll } from "../helpers/close-all";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, databasesLike, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let app: ConsoleProcess;
let browser: Browser;
let page: Page;
let owner: Principal;
let token: string;
let odoo: OdooClient;
let pg: Awaited<ReturnType<typeof createClientDatabase>>;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let odooEnvironmentId: string;
let pgEnvironmentId: string;
const plugins = builtinPluginHost();

type Drill = { id: string; status: string; error: string | null; checks: Array<{ check: string; ok: boolean; detail: string }> };

async function api(method: string, route: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(method === "POST" ? { "content-type": "application/json" } : {}) }, body: method === "POST" ? "{}" : undefined });
  return { status: res.status, body: await res.json() };
}

/** Asks the spawned console for a drill through REST, then polls it until it ended. */
async function drillThroughRest(environmentId: string): Promise<Drill> {
  const created = await api("POST", `/environments/${environmentId}/drills`);
  expect(created.status).toBe(202);
  const id = (created.body as Drill).id;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const drill = (await api("GET", `/drills/${id}`)).body as Drill;
    if (drill.status === "completed" || drill.status === "failed") return drill;
    if (Date.now() > deadline) throw new Error(`drill ${id} still ${drill.status}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Drill Agency"));
  token = (await createApiToken(t.db, owner, { name: "drills" })).token;
  setup = await createBackupSetup(t.db, plugins, owner);
  odoo = await createOdooClient();
  odooEnvironmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, odoo)).id;
  pg = await createClientDatabase({ createdb: true });
  pgEnvironmentId = (await createPostgresEnvironment(t.db, plugins, owner, setup, pg, "crm")).id;
  await putOrgPolicy(t.db, owner, { ...BUILT_IN_POLICY, drill: { enabled: true, schedule: "0 4 * * 0", serverId: null } });
  // The console runs its own worker: it takes the backups, then the drills.
  app = await startTestConsole(t, "drill");
  for (const environmentId of [odooEnvironmentId, pgEnvironmentId]) {
    const backup = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "daily" });
    expect(await waitForBackup(t.db, owner, backup.id)).toMatchObject({ status: "completed", verified: true });
  }
  ({ browser, page } = await browserPage({ width: 1440, height: 900 }));
}, 300_000);

afterAll(() => closeAll(browser, app, odoo, pg, t));

describe("restore drills through a running console", () => {
  it("runs a drill of an Odoo environment through REST, and reads its passed checks", async () => {
    const drill = await drillThroughRest(odooEnvironmentId);
    expect(drill, drill.error ?? "").toMatchObject({ status: "completed", error: null });
    expect(drill.checks.map((c) => c.check)).toEqual(["database loaded", "row counts", "filestore", "base module installed", "users present"]);
    expect(drill.checks.every((c) => c.ok)).toBe(true);
    expect(await databasesLike("safehold_drill_")).toEqual([]);
    const listed = (await api("GET", `/environments/${odooEnvironmentId}/drills`)).body as { items: Drill[] };
    expect(listed.items.map((d) => d.id)).toEqual([drill.id]);
  });

  it("fails a drill of a backup damaged in storage, naming the file", async () => {
    const rows = await t.db.select({ key: backupArtifacts.key }).from(backupArtifacts).where(eq(backupArtifacts.kind, "database"));
    const pgKey = rows.map((r) => r.key).find((k) => k.includes(pgEnvironmentId))!;
    const file = path.join(setup.storageDir, pgKey);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const drill = await drillThroughRest(pgEnvironmentId);
    expect(drill).toMatchObject({ status: "failed", error: expect.stringMatching(/^The stored database file is damaged/) });
  });

  it("shows the last drill on the environment page, \"Restore tested\" on the backup, and \"proven restorable\" on the dashboard", async () => {
    await signIn(page, app.url, owner.label, TEST_PASSWORD);
    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${odooEnvironmentId}`);
    const section = page.locator("section", { has: page.getByRole("heading", { name: "Restore drills" }) });
    await section.getByText("Passed").waitFor();
    await section.getByText("Base module installed").waitFor();
    await screenshot(page, "drill-02-environment-page");
    await page.getByText("Restore tested").first().waitFor();
    await section.scrollIntoViewIfNeeded();
    await screenshotOf(section, "drill-01-environment-passed");

    await page.goto(`${app.url}/projects/${setup.project.id}/environments/${pgEnvironmentId}`);
    const failed = page.locator("section", { has: page.getByRole("heading", { name: "Restore drills" }) });
    await failed.getByText("Failed", { exact: true }).waitFor();
    await failed.scrollIntoViewIfNeeded();
    await screenshotOf(failed, "drill-03-environment-failed");

    await page.goto(`${app.url}/`);
    await page.getByTestId("proven-restorable-percent").waitFor();
    expect(await page.getByTestId("proven-restorable-percent").textContent()).toBe("50%");
    await page.getByTestId("failed-drills").getByText("crm").waitFor();
    await screenshot(page, "drill-04-dashboard");
  });
});
