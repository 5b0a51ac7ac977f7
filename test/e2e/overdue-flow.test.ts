import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createApiToken } from "@/server/services/api-tokens";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { createBackupSetup, createPostgresEnvironment } from "../helpers/backup-env";
import { launchBrowser, screenshot, signIn } from "../helpers/browser";
import { startWebProcess, startWorkerProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { webhookListener } from "../helpers/fake-listeners";
import { builtinPluginHost, createOrgWithMembers, TEST_PASSWORD } from "../helpers/fixtures";

/**
 * Issue 16, acceptance 4, on a web console running alone (`safehold web`, no worker process): its own timer finds
 * the overdue environment and delivers the notification to a real webhook listener; the dashboard and a banner
 * say so; /healthz answers 503 until a worker runs; /metrics wants an API token and speaks Prometheus.
 */
let t: TestDatabase;
let web: Awaited<ReturnType<typeof startWebProcess>>;
let hook: Awaited<ReturnType<typeof webhookListener>>;
let viewer: Principal;
let token: string;
let environmentId: string;

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  const plugins = builtinPluginHost();
  const { principals } = await createOrgWithMembers(t.db, "Dead man");
  viewer = principals.viewer;
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  hook = await webhookListener();
  const channel = await createNotificationChannel(t.db, plugins, principals.owner, { name: "on-call", notifier: "webhook", config: { url: `${hook.url}/alerts`, format: "json" } });
  // Every minute, no retries: each slot is overdue once its margin has passed.
  await putOrgPolicy(t.db, principals.owner, { ...(await orgDefaultPolicy(t.db, principals.owner.orgId)), enabled: true, schedule: "* * * * *", timezone: "UTC", retries: { attempts: 1, withinMinutes: 1 }, notifyOnFailure: true, notificationChannelIds: [channel.id] });
  environmentId = (await createPostgresEnvironment(t.db, plugins, principals.owner, setup, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" }, "production")).id;
  // As if the environment and its policy had existed for an hour: its recent slots count (none ran).
  await t.sql`update environments set created_at = now() - interval '1 hour' where id = ${environmentId}`;
  await t.sql`update backup_policies set updated_at = now() - interval '1 hour'`;
  token = (await createApiToken(t.db, viewer, { name: "prometheus" })).token;
  web = await startWebProcess({ DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-overdue-web-")) });
});

afterAll(async () => {
  await web?.stop();
  await hook?.stop();
  await t?.drop();
});

describe("a console whose workers are all gone", () => {
  it("sends the overdue notification from the web process itself, once for the period", async () => {
    const sent = await waitFor("an overdue webhook", async () => hook.hooks.find((h) => h.event === "backup.overdue"), 60_000);
    expect(sent.body).toMatchObject({ event: "backup.overdue", severity: "failure", fields: { environment: "production", reason: "no worker" } });
    expect(sent.body.text).toContain("No worker process is running");
    // The web process logs its summary after the delivery it counts, so the line can trail the webhook by a moment.
    const summary = "Overdue check: 1 environment(s) overdue, 1 notification(s) sent without a worker";
    await waitFor("the overdue summary in the web log", async () => web.logs().includes(summary), 10_000);
    // The schedule runs every minute, so each minute is a period: never two notifications for one slot.
    const slots = hook.hooks.filter((h) => h.event === "backup.overdue").map((h) => (h.body.fields as Record<string, string>).slot);
    expect(new Set(slots).size).toBe(slots.length);
  });

  it("answers /healthz 503 naming the workers, without signing in", async () => {
    const res = await fetch(`${web.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", failed: ["workers"], database: "reachable", workers: 0 });
  });

  it("shows the overdue environment with why on the dashboard, and a banner on every page", async () => {
    const res = await fetch(`${web.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } });
    const dashboard = (await res.json()) as { overdue: Array<{ environmentId: string; reason: string; detail: string }>; overdueTotal: number };
    expect(dashboard.overdueTotal).toBe(1);
    expect(dashboard.overdue[0]).toMatchObject({ environmentId, reason: "no_worker", detail: "No worker process is running: scheduled backups are not being processed" });
    expect(await (await fetch(`${web.url}/api/v1/workers`, { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ running: 0 });

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await signIn(page, web.url, viewer.label, TEST_PASSWORD);
      const banner = page.getByTestId("no-worker-banner");
      await banner.waitFor();
      expect(await banner.textContent()).toContain("No worker is running: scheduled backups and restores are not being processed");
      const overdue = page.getByTestId("overdue-list");
      await overdue.waitFor();
      expect(await overdue.textContent()).toContain("No worker");
      await screenshot(page, "overdue-dashboard");
      await page.goto(`${web.url}/backups`);
      await banner.waitFor();
      await screenshot(page, "overdue-banner-backups");
    } finally {
      await browser.close();
    }
  });

  it("serves /metrics only for a valid API token, in Prometheus text format", async () => {
    expect((await fetch(`${web.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${web.url}/metrics`, { headers: { authorization: "Bearer shk_not-a-real-token" } })).status).toBe(401);
    const res = await fetch(`${web.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await res.text());
    const byName = new Map(families.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual(
      [
        "safehold_backups",
        "safehold_restores",
        "safehold_run_duration_seconds",
        "safehold_runs_completed_last_24h",
        "safehold_backup_bytes_last_24h",
        "safehold_storage_used_bytes",
        "safehold_queue_jobs",
        "safehold_queue_oldest_waiting_seconds",
        "safehold_server_waiting_runs",
        "safehold_compliance_ratio",
        "safehold_proven_restorable_ratio",
        "safehold_environment_last_success_age_seconds",
        "safehold_overdue_environments",
        "safehold_workers",
      ].sort(),
    );
    expect(byName.get("safehold_workers")!.metrics).toEqual([{ value: "0" }]);
    expect(byName.get("safehold_backups")!.metrics).toContainEqual({ labels: { status: "completed" }, value: "0" });
    expect(byName.get("safehold_compliance_ratio")!.metrics).toEqual([{ value: "0" }]);
    expect(byName.get("safehold_overdue_environments")!.metrics).toContainEqual({ labels: { reason: "no_worker" }, value: "1" });
    expect(byName.get("safehold_server_waiting_runs")!.metrics).toEqual([{ labels: { server: expect.stringMatching(/^This host /) }, value: "0" }]);
  });

  it("answers /healthz 200 once a worker runs", async () => {
    const worker = await startWorkerProcess({ DATABASE_URL: t.url });
    try {
      const healthy = await waitFor("a healthy answer", async () => {
        const res = await fetch(`${web.url}/healthz`);
        return res.status === 200 && ((await res.json()) as unknown);
      }, 30_000);
      expect(healthy).toEqual({ status: "ok", failed: [], database: "reachable", workers: 1 });
    } finally {
      worker.child.kill("SIGTERM");
      await new Promise((r) => worker.child.once("exit", r));
    }
  });
});
