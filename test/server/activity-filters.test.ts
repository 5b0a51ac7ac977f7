import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeholdActor, type Principal } from "@/server/auth/principal";
import { activityLog, backups } from "@/server/db/schema";
import { recordActivity } from "@/server/services/activity";
import { activityCsv, csvField } from "@/server/services/activity-export";
import type { ActivityFilters } from "@/server/services/activity-filters";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";

const plugins = builtinPluginHost();
let t: TestDatabase;
let a: Awaited<ReturnType<typeof createOrgWithMembers>>["principals"];
let b: Awaited<ReturnType<typeof createOrgWithMembers>>["principals"];
const ids = {} as Record<"acme" | "globex" | "acmeProduction" | "globexProduction" | "acmeBackup" | "globexBackup" | "deletedBackup" | "otherOrgProject", string>;

async function environmentIn(owner: Principal, projectId: string, serverId: string, name: string) {
  const sourceConfig = { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" };
  return (await createEnvironment(t.db, plugins, owner, { projectId, serverId, name, stage: "production", source: "postgres", sourceConfig })).id;
}

async function backupOf(owner: Principal, projectId: string, environmentId: string) {
  const [row] = await t.db.insert(backups).values({ orgId: owner.orgId, projectId, environmentId, type: "manual", status: "completed", retentionClass: "daily" }).returning();
  return row!.id;
}

type Input = Partial<ActivityFilters> & { limit?: number; cursor?: string };
const list = (who: Principal, input: Input = {}) => callerFor(t.db, plugins, who).activity.list({ limit: 200, ...input });
const actions = async (who: Principal, input: Input = {}) => (await list(who, input)).items.map((i) => i.action).sort();

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: a } = await createOrgWithMembers(t.db, "Filters Agency"));
  ({ principals: b } = await createOrgWithMembers(t.db, "Other Agency"));
  const server = (await createServer(t.db, plugins, a.owner, { name: "This host", kind: "local", config: {} })).id;
  ids.acme = (await createProject(t.db, a.owner, { name: "Acme", description: "" })).id;
  ids.globex = (await createProject(t.db, a.owner, { name: "Globex, \"International\"", description: "" })).id;
  ids.acmeProduction = await environmentIn(a.owner, ids.acme, server, "production");
  ids.globexProduction = await environmentIn(a.owner, ids.globex, server, "production");
  ids.acmeBackup = await backupOf(a.owner, ids.acme, ids.acmeProduction);
  ids.globexBackup = await backupOf(a.owner, ids.globex, ids.globexProduction);
  ids.deletedBackup = randomUUID();
  ids.otherOrgProject = (await createProject(t.db, b.owner, { name: "Initech", description: "" })).id;

  // Retention's rows: the console's own work, with a raw byte count in the message.
  await recordActivity(t.db, safeholdActor(a.owner.orgId), { action: "backup.expire", targetType: "backup", targetId: ids.acmeBackup, targetLabel: "Acme / production", message: "Removed 170123456 bytes by the daily rule" });
  await recordActivity(t.db, safeholdActor(a.owner.orgId), { action: "backup.expire", targetType: "backup", targetId: ids.globexBackup, targetLabel: "Globex / production", message: "=cmd|' /C calc'!A0" });
  await recordActivity(t.db, a.operator, { action: "backup.create", targetType: "backup", targetId: ids.globexBackup, targetLabel: "Globex / production", outcome: "failure", message: "The disk is full" });
  // A deleted backup's row finds its environment through its details.
  await recordActivity(t.db, a.operator, { action: "backup.delete", targetType: "backup", targetId: ids.deletedBackup, targetLabel: "Acme / production", details: { projectId: ids.acme, environmentId: ids.acmeProduction } });
  // A row from last year, for the date range.
  await t.db.insert(activityLog).values({ orgId: a.owner.orgId, actorUserId: a.admin.userId, actorLabel: a.admin.label, action: "organization.update", targetType: "organization", outcome: "success", message: "Renamed", createdAt: new Date("2025-06-01T12:00:00Z") });
});

afterAll(async () => {
  await t?.drop();
});

describe("activity filters", () => {
  it("separates people from the console's own work, and marks system rows", async () => {
    const all = await list(a.viewer);
    const system = await list(a.viewer, { actors: "system" });
    const people = await list(a.viewer, { actors: "people" });
    expect(system.items.map((i) => i.action)).toEqual(["backup.expire", "backup.expire"]);
    expect(system.items.every((i) => i.system && i.actor === "Safehold")).toBe(true);
    expect(people.items.some((i) => i.system)).toBe(false);
    expect(people.items.length + system.items.length).toBe(all.items.length);
    // The default stays "all", as REST clients had it before the filter existed.
    expect(all.items.some((i) => i.system)).toBe(true);
  });

  it("finds a project's rows through its environments and backups, a deleted backup's through its details", async () => {
    expect(await actions(a.viewer, { projectId: ids.acme })).toEqual(["backup.delete", "backup.expire", "environment.create", "project.create"]);
    expect(await actions(a.viewer, { projectId: ids.globex })).toEqual(["backup.create", "backup.expire", "environment.create", "project.create"]);
    expect(await actions(a.viewer, { environmentId: ids.acmeProduction })).toEqual(["backup.delete", "backup.expire", "environment.create"]);
  });

  it("filters by action, member, outcome, text and dates, combined", async () => {
    expect(await actions(a.viewer, { action: "backup.expire" })).toEqual(["backup.expire", "backup.expire"]);
    expect(await actions(a.viewer, { userId: a.operator.userId! })).toEqual(["backup.create", "backup.delete"]);
    expect(await actions(a.viewer, { outcome: "failure" })).toEqual(["backup.create"]);
    expect(await actions(a.viewer, { q: "170123456" })).toEqual(["backup.expire"]);
    expect(await actions(a.viewer, { q: "operator@" })).toEqual(["backup.create", "backup.delete"]);
    expect(await actions(a.viewer, { q: "100%" })).toEqual([]);
    expect(await actions(a.viewer, { to: "2025-12-31T23:59:59Z" })).toEqual(["organization.update"]);
    expect(await actions(a.viewer, { from: "2026-01-01T00:00:00Z", projectId: ids.globex, actors: "people" })).toEqual(["backup.create", "environment.create", "project.create"]);
  });

  it("pages through filtered rows with the cursor", async () => {
    const first = await list(a.viewer, { projectId: ids.acme, limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await list(a.viewer, { projectId: ids.acme, limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("offers the members and actions of the caller's organization only", async () => {
    const facets = await callerFor(t.db, plugins, a.viewer).activity.facets();
    expect(facets.actions).toEqual(["backup.create", "backup.delete", "backup.expire", "environment.create", "organization.update", "project.create", "server.create"]);
    expect(facets.users.map((u) => u.email).sort()).toEqual([a.admin.label, a.operator.label, a.owner.label].sort());
    const other = await callerFor(t.db, plugins, b.viewer).activity.facets();
    expect(other).toEqual({ actions: ["project.create"], users: [{ id: b.owner.userId, email: b.owner.label }] });
  });

  it("keeps each organization to its own rows, whatever the filters name", async () => {
    expect((await list(a.viewer, { projectId: ids.otherOrgProject })).items).toEqual([]);
    expect((await list(a.viewer, { q: "Initech" })).items).toEqual([]);
    expect((await list(b.viewer, { projectId: ids.acme })).items).toEqual([]);
    expect((await list(b.viewer, { userId: a.operator.userId! })).items).toEqual([]);
    expect(await actions(b.viewer)).toEqual(["project.create"]);
  });

  it("lets a viewer read the log, and no one without a session", async () => {
    await expect(list(a.viewer)).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(callerFor(t.db, plugins, null).activity.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("CSV export of the activity log", () => {
  async function csv(who: Principal, filters: Partial<ActivityFilters>) {
    let text = "";
    for await (const chunk of activityCsv(t.db, who, { actors: "all", ...filters })) text += chunk;
    return text.split("\r\n").filter(Boolean);
  }

  it("writes the filtered rows, newest first, under a header", async () => {
    const lines = await csv(a.viewer, { projectId: ids.globex });
    expect(lines[0]).toBe("time,who,system,action,target_type,target,outcome,message");
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).map((l) => l.split(",")[3])).toEqual(["backup.create", "backup.expire", "environment.create", "project.create"]);
    expect(lines[1]).toContain(`,${a.operator.label},no,backup.create,backup,Globex / production,failure,The disk is full`);
    // Quotes and commas are quoted; a formula stays text.
    expect(lines.find((l) => l.includes("project.create"))).toContain(`"Globex, ""International"""`);
    expect(lines[2]).toContain(",Safehold,yes,backup.expire,");
    expect(lines[2]).toContain(`'=cmd|' /C calc'!A0`);
  });

  it("streams more rows than one page, and nothing of another organization", async () => {
    await recordActivity(t.db, b.owner, { action: "project.update", targetType: "project", targetId: ids.otherOrgProject, targetLabel: "Initech", message: "secret of org B" });
    const many = Array.from({ length: 1200 }, (_, i) => ({ orgId: a.owner.orgId, actorUserId: null, actorLabel: "Safehold", action: "backup.expire", targetType: "backup", outcome: "success" as const, message: `bulk ${i}` }));
    await t.db.insert(activityLog).values(many);
    const lines = await csv(a.viewer, { actors: "system" });
    expect(lines).toHaveLength(1 + 1200 + 2);
    expect(new Set(lines).size).toBe(lines.length);
    expect((await csv(a.viewer, {})).join("\n")).not.toContain("secret of org B");
  });

  it("quotes fields only where CSV needs it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
  });
});
