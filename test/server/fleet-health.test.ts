import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups, environments } from "@/server/db/schema";
import { getFleetHealth } from "@/server/fleet/fleet-health";
import { searchFleet } from "@/server/fleet/fleet-search";
import { BUILT_IN_POLICY } from "@/server/policies/policy-fields";
import { createApiToken } from "@/server/services/api-tokens";
import { putOrgPolicy, putOverride } from "@/server/services/backup-policies";
import { createProject } from "@/server/services/projects";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const plugins = builtinPluginHost();
let t: TestDatabase;

type Org = { owner: Principal; viewer: Principal; setup: Awaited<ReturnType<typeof createBackupSetup>> };

async function newOrg(name: string): Promise<Org> {
  const { principals } = await createOrgWithMembers(t.db, name);
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  await putOrgPolicy(t.db, principals.owner, { ...BUILT_IN_POLICY, schedule: "0 2 * * *", timezone: "UTC" });
  return { owner: principals.owner, viewer: principals.viewer, setup };
}

async function client(org: Org, name: string, envNames: string[]) {
  const project = await createProject(t.db, org.owner, { name, description: "" });
  const envs = [];
  for (const env of envNames) envs.push(await createPostgresEnvironment(t.db, plugins, org.owner, { project, server: org.setup.server }, { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" }, env));
  return { project, envs };
}

/** A backup row as a worker leaves it (or, for pending, as the queue holds it). */
async function backup(org: Org, env: { id: string; projectId: string }, status: "completed" | "failed" | "pending", at: Date, extra: { sizeBytes?: number; error?: string; name?: string } = {}) {
  const [row] = await t.db
    .insert(backups)
    .values({
      orgId: org.owner.orgId,
      projectId: env.projectId,
      environmentId: env.id,
      storageLocationId: org.setup.storage.id,
      type: "scheduled",
      status,
      name: extra.name ?? "",
      retentionClass: "daily",
      sizeBytes: status === "completed" ? (extra.sizeBytes ?? 1000) : null,
      error: status === "failed" ? (extra.error ?? "it broke") : null,
      failureKind: status === "failed" ? "source" : null,
      startedAt: status === "pending" ? null : new Date(at.getTime() - 60_000),
      finishedAt: status === "pending" ? null : at,
      createdAt: new Date(at.getTime() - 60_000),
    })
    .returning({ id: backups.id });
  return row!.id;
}

/** Moves an environment's creation (and its org's policy change) into the past, so a slot has passed since. */
async function backdate(org: Org, environmentId: string, days: number) {
  // updated_at too: cached policies are read again when an environment's latest edit moves.
  await t.db.update(environments).set({ createdAt: new Date(Date.now() - days * DAY), updatedAt: new Date() }).where(eq(environments.id, environmentId));
  await t.db.execute(sql`update backup_policies set updated_at = now() - make_interval(days => ${days}) where org_id = ${org.owner.orgId}`);
}

const now = () => new Date();
const ago = (ms: number) => new Date(Date.now() - ms);

let alpha: Org;
let bravo: Org;
const ids = {} as Record<"failing" | "failedBackup" | "mixed" | "overdue" | "never" | "neverEnv" | "fine" | "activeBackup" | "off" | "empty" | "newcomer" | "foreign", string>;

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  alpha = await newOrg("Fleet Alpha");
  bravo = await newOrg("Fleet Bravo");

  const failing = await client(alpha, "Globex International Holdings", ["production"]);
  await backup(alpha, failing.envs[0]!, "completed", ago(3 * DAY), { sizeBytes: 700 });
  ids.failedBackup = await backup(alpha, failing.envs[0]!, "failed", ago(HOUR), { error: "pg_dump: connection to server refused\nIs the server running?" });
  ids.failing = failing.project.id;

  const mixed = await client(alpha, "Mixed Co", ["production", "staging"]);
  await backup(alpha, mixed.envs[0]!, "completed", ago(2 * HOUR));
  await backup(alpha, mixed.envs[1]!, "completed", ago(50 * HOUR));
  ids.mixed = mixed.project.id;

  const overdue = await client(alpha, "Overdue Co", ["production"]);
  await backup(alpha, overdue.envs[0]!, "completed", ago(30 * HOUR));
  ids.overdue = overdue.project.id;

  const never = await client(alpha, "Never Co", ["production"]);
  ids.neverEnv = never.envs[0]!.id;
  ids.never = never.project.id;

  const fine = await client(alpha, "Fine Co", ["production"]);
  await backup(alpha, fine.envs[0]!, "completed", ago(26 * HOUR), { sizeBytes: 500 });
  await backup(alpha, fine.envs[0]!, "completed", ago(2 * HOUR), { sizeBytes: 1000, name: "Nightly 100% done" });
  ids.activeBackup = await backup(alpha, fine.envs[0]!, "pending", ago(0));
  ids.fine = fine.project.id;

  const off = await client(alpha, "Off Co", ["production"]);
  await putOverride(t.db, alpha.owner, off.envs[0]!.id, { enabled: false });
  ids.off = off.project.id;

  ids.empty = (await createProject(t.db, alpha.owner, { name: "Empty Co", description: "" })).id;

  // Backdating touches the org's policy row, which every environment's "since" follows: only Never Co's
  // environment is created back then, the others stay new (and have backups, or backups off).
  await backdate(alpha, never.envs[0]!.id, 3);

  // The setup's own project (no environments) sorts with Empty Co; a newcomer comes after the backdating.
  const newcomer = await client(alpha, "New Co", ["production"]);
  ids.newcomer = newcomer.project.id;

  const foreign = await client(bravo, "Bravo Failing Client", ["production"]);
  await backup(bravo, foreign.envs[0]!, "failed", ago(HOUR));
  ids.foreign = foreign.project.id;
});

afterAll(async () => {
  await t?.drop();
});

describe("fleet health", () => {
  it("orders clients worst first: failing, overdue (stalest first), never ran, first run ahead, ok, backups off, no environments", async () => {
    const { projects } = await getFleetHealth(t.db, alpha.viewer, {}, now());
    const byId = new Map(projects.map((p) => [p.projectId, p]));
    expect(projects.map((p) => [p.name, p.status])).toEqual([
      ["Globex International Holdings", "failing"],
      ["Mixed Co", "overdue"],
      ["Overdue Co", "overdue"],
      ["Never Co", "never_ran"],
      ["New Co", "first_run_scheduled"],
      ["Fine Co", "ok"],
      ["Off Co", "disabled"],
      // Projects without environments last, by name ("Client …", the setup's own, before "Empty Co").
      [alpha.setup.project.name, null],
      ["Empty Co", null],
    ]);
    expect(projects.map((p) => p.severity)).toEqual([0, 1, 1, 2, 3, 4, 5, 6, 6]);

    const failing = byId.get(ids.failing)!;
    expect(failing.lastFailure).toEqual({ environmentId: expect.any(String), environmentName: "production", backupId: ids.failedBackup, message: "pg_dump: connection to server refused" });
    expect(failing.environments[0]).toMatchObject({ status: "failing", reason: "last_run_failed", lastFailure: { backupId: ids.failedBackup }, storedBytes: 700 });
    expect(failing.compliance).toEqual({ compliant: 0, enabled: 1, percent: 0 });

    const mixed = byId.get(ids.mixed)!;
    // Its worst environment first; the client's last success is its stalest environment's.
    expect(mixed.environments.map((e) => [e.name, e.status])).toEqual([
      ["staging", "overdue"],
      ["production", "ok"],
    ]);
    expect(Date.parse(mixed.lastSuccessAt!)).toBeLessThan(Date.now() - 49 * HOUR);
    expect(mixed.compliance).toEqual({ compliant: 1, enabled: 2, percent: 50 });

    const newcomer = byId.get(ids.newcomer)!;
    expect(newcomer.environments[0]).toMatchObject({ status: "first_run_scheduled", reason: "no_backup_yet", lastSuccessAt: null, nextRunAt: expect.stringMatching(/T02:00:00\.000Z$/) });
    expect(newcomer.lastSuccessAt).toBeNull();

    const fine = byId.get(ids.fine)!;
    expect(fine.environments[0]).toMatchObject({ status: "ok", reason: null, lastFailure: null, activeBackup: { backupId: ids.activeBackup, status: "pending" }, storedBytes: 1500 });
    expect(fine.storedBytes).toBe(1500);
    expect(fine.nextRunAt).toMatch(/T02:00:00\.000Z$/);

    expect(byId.get(ids.off)!.environments[0]).toMatchObject({ status: "disabled", nextRunAt: null });
    expect(byId.get(ids.off)!.compliance).toEqual({ compliant: 0, enabled: 0, percent: null });
    expect(byId.get(ids.never)!.environments[0]).toMatchObject({ status: "never_ran", reason: "no_backup_yet" });
  });

  it("answers for one project, and for another organization's project only NOT_FOUND", async () => {
    const one = await getFleetHealth(t.db, alpha.viewer, { projectId: ids.failing }, now());
    expect(one.projects.map((p) => p.name)).toEqual(["Globex International Holdings"]);
    await expect(getFleetHealth(t.db, alpha.owner, { projectId: ids.foreign }, now())).rejects.toMatchObject({ code: "not_found" });
    const caller = callerFor(t.db, plugins, alpha.viewer);
    await expect(caller.fleet.health({ projectId: ids.foreign })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("never shows another organization's clients, environments or backups", async () => {
    const { projects } = await getFleetHealth(t.db, alpha.owner, {}, now());
    expect(projects.some((p) => p.projectId === ids.foreign || p.name.startsWith("Bravo"))).toBe(false);
    const theirs = await getFleetHealth(t.db, bravo.owner, {}, now());
    expect(theirs.projects.map((p) => p.name).sort()).toEqual(["Bravo Failing Client", bravo.setup.project.name].sort());
    expect(await searchFleet(t.db, alpha.owner, { q: "Bravo", limit: 8 })).toEqual({ projects: [], environments: [], backups: [] });
  });

  it("is served at GET /api/v1/fleet/health to a viewer's token", async () => {
    const { token } = await createApiToken(t.db, alpha.viewer, { name: "fleet" });
    const res = await rest("GET", `/fleet/health?projectId=${ids.mixed}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ projects: [{ name: "Mixed Co", status: "overdue", environments: [{ name: "staging" }, { name: "production" }] }] });
    expect((await rest("GET", "/fleet/health")).status).toBe(401);
  });
});

describe("fleet search", () => {
  it("finds clients, their environments and their newest backups, at most `limit` of each", async () => {
    const found = await searchFleet(t.db, alpha.viewer, { q: "globex", limit: 8 });
    expect(found.projects).toEqual([{ id: ids.failing, name: "Globex International Holdings", environments: 1 }]);
    expect(found.environments).toEqual([{ id: expect.any(String), name: "production", stage: "production", projectId: ids.failing, projectName: "Globex International Holdings" }]);
    expect(found.backups.map((b) => [b.status, b.projectName])).toEqual([
      ["failed", "Globex International Holdings"],
      ["completed", "Globex International Holdings"],
    ]);
    const environmentsOnly = await searchFleet(t.db, alpha.viewer, { q: "staging", limit: 8 });
    expect(environmentsOnly.projects).toEqual([]);
    expect(environmentsOnly.environments.map((e) => `${e.projectName} / ${e.name}`)).toEqual(["Mixed Co / staging"]);
    // A client and environment typed together, as the palette shows them.
    expect((await searchFleet(t.db, alpha.viewer, { q: "mixed co staging", limit: 8 })).environments).toHaveLength(1);
    const limited = await searchFleet(t.db, alpha.viewer, { q: "", limit: 2 });
    expect([limited.projects.length, limited.environments.length, limited.backups.length]).toEqual([2, 2, 2]);
  });

  it("takes wildcards literally", async () => {
    expect((await searchFleet(t.db, alpha.viewer, { q: "100%", limit: 8 })).backups.map((b) => b.name)).toEqual(["Nightly 100% done"]);
    expect(await searchFleet(t.db, alpha.viewer, { q: "%", limit: 8 })).toMatchObject({ projects: [], environments: [] });
    expect((await searchFleet(t.db, alpha.viewer, { q: "_", limit: 8 })).projects).toEqual([]);
  });

  it("is served at GET /api/v1/fleet/search", async () => {
    const { token } = await createApiToken(t.db, alpha.viewer, { name: "palette" });
    const res = await rest("GET", "/fleet/search?q=Overdue&limit=3", { token });
    expect(res).toMatchObject({ status: 200, body: { projects: [{ name: "Overdue Co" }], environments: [{ name: "production", projectName: "Overdue Co" }] } });
  });
});
