import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "@/server/api/root";
import type { Access } from "@/server/api/trpc";
import type { Principal } from "@/server/auth/principal";
import { destructions, downloadLinks, restoreDrills, restores, type Role } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackup } from "@/server/services/backup-lifecycle";
import { createEnvironment } from "@/server/services/environments";
import { addErasureSubject } from "@/server/services/erasure";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { ensureOrganizationKey } from "@/server/services/organization-keys";
import { builtinPluginHost, callerFor, createOrgWithMembers } from "../helpers/fixtures";

type Objects = {
  orgId: string;
  projectId: string;
  emptyProjectId: string;
  serverId: string;
  environmentId: string;
  storageId: string;
  tokenId: string;
  memberUserId: string;
  backupId: string;
  restoreId: string;
  drillId: string;
  erasureId: string;
  linkId: string;
  channelId: string;
  keyId: string;
  destructionId: string;
};

let n = 0;
const unique = (prefix: string) => `${prefix} ${++n}`;

/** One input per procedure; a procedure missing here fails the coverage test, so new procedures join the matrix. */
const INPUTS: Record<string, (o: Objects) => unknown> = {
  "setup.status": () => undefined,
  "setup.createOwner": () => ({ email: "late@example.test", password: "long-enough-password", organizationName: "Late" }),
  "me.get": () => undefined,
  "me.switchOrganization": (o) => ({ orgId: o.orgId }),
  "organization.get": () => undefined,
  "organization.update": () => ({ name: unique("Renamed") }),
  "members.list": () => undefined,
  "members.add": () => ({ email: `${unique("new").replace(" ", "")}@example.test`, password: "long-enough-password", role: "viewer" }),
  "members.changeRole": (o) => ({ userId: o.memberUserId, role: "operator" }),
  "members.remove": (o) => ({ userId: o.memberUserId }),
  "account.get": () => undefined,
  "account.changePassword": () => ({ currentPassword: "not-the-password", newPassword: "violet-harbour-tractor" }),
  "account.startTwoFactor": () => ({ currentPassword: "not-the-password" }),
  "account.confirmTwoFactor": () => ({ code: "000000" }),
  "account.disableTwoFactor": () => ({ currentPassword: "not-the-password" }),
  "account.regenerateRecoveryCodes": () => ({ currentPassword: "not-the-password" }),
  "account.endSession": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "account.signOutEverywhere": () => undefined,
  "members.resetPassword": (o) => ({ userId: o.memberUserId }),
  "members.resetTwoFactor": (o) => ({ userId: o.memberUserId }),
  "apiTokens.list": () => undefined,
  "apiTokens.create": () => ({ name: unique("token") }),
  "apiTokens.revoke": (o) => ({ id: o.tokenId }),
  "plugins.list": () => ({}),
  "plugins.contributions": () => ({ kind: "sources" }),
  "projects.list": () => ({}),
  "projects.get": (o) => ({ id: o.projectId }),
  "projects.create": () => ({ name: unique("Project") }),
  "projects.update": (o) => ({ id: o.projectId, description: "updated" }),
  "projects.delete": (o) => ({ id: o.emptyProjectId }),
  "servers.list": () => ({}),
  "servers.health": () => undefined,
  "servers.get": (o) => ({ id: o.serverId }),
  "servers.create": () => ({ name: unique("Server"), kind: "local", config: {} }),
  "servers.update": (o) => ({ id: o.serverId, name: unique("Server") }),
  "servers.delete": (o) => ({ id: o.serverId }),
  "servers.test": (o) => ({ id: o.serverId }),
  "servers.testDraft": () => ({ kind: "local", config: {} }),
  "environments.list": (o) => ({ projectId: o.projectId }),
  "environments.get": (o) => ({ id: o.environmentId }),
  "environments.create": (o) => ({
    projectId: o.projectId,
    serverId: o.serverId,
    name: unique("env"),
    stage: "test",
    source: "postgres",
    sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" },
  }),
  "environments.update": (o) => ({ id: o.environmentId, stage: "staging" }),
  "environments.delete": (o) => ({ id: o.environmentId }),
  "environments.test": (o) => ({ id: o.environmentId }),
  "environments.testDraft": (o) => ({ serverId: o.serverId, source: "postgres", sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" } }),
  "storageLocations.list": () => ({}),
  "storageLocations.get": (o) => ({ id: o.storageId }),
  "storageLocations.create": () => ({ name: unique("Storage"), provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "sh-matrix-")) } }),
  "storageLocations.update": (o) => ({ id: o.storageId, name: unique("Storage") }),
  "storageLocations.delete": (o) => ({ id: o.storageId }),
  "storageLocations.test": (o) => ({ id: o.storageId }),
  "storageLocations.testDraft": (o) => ({ id: o.storageId }),
  "backups.list": (o) => ({ environmentId: o.environmentId }),
  "backups.counts": () => ({}),
  "backups.get": (o) => ({ id: o.backupId }),
  "backups.create": (o) => ({ environmentId: o.environmentId, name: unique("backup") }),
  "imports.create": (o) => ({ environmentId: o.environmentId, from: { kind: "url", url: "http://127.0.0.1:9/acme.zip" } }),
  "backups.delete": (o) => ({ id: o.backupId }),
  "backups.retentionPreview": (o) => ({ id: o.environmentId }),
  "backups.retryCopy": (o) => ({ backupId: o.backupId, storageLocationId: o.storageId }),
  "backups.trust": (o) => ({ backupId: o.backupId, confirm: "TRUST" }),
  "backups.update": (o) => ({ id: o.backupId, notes: "edited" }),
  "backups.release": (o) => ({ id: o.backupId }),
  "lifecycle.destroyEnvironment": (o) => ({ id: o.environmentId, confirm: "not the name", keepBackups: "90_days" }),
  "lifecycle.offboardProject": (o) => ({ id: o.projectId, confirm: "not the name", keepBackups: "90_days" }),
  "lifecycle.get": (o) => ({ id: o.destructionId }),
  "lifecycle.list": (o) => ({ environmentId: o.environmentId }),
  "lifecycle.purgeEnvironment": (o) => ({ id: o.environmentId, confirm: "not the name" }),
  "lifecycle.purgeProject": (o) => ({ id: o.projectId, confirm: "not the name" }),
  "organizationKeys.list": () => undefined,
  "organizationKeys.create": () => ({}),
  "organizationKeys.rotate": () => ({ confirm: "not-the-word" }),
  "organizationKeys.recoveryKit": (o) => ({ id: o.keyId }),
  "organizationKeys.confirmKit": (o) => ({ id: o.keyId }),
  "selfBackup.get": () => ({}),
  "selfBackup.update": (o) => ({ enabled: false, schedule: "0 3 * * *", storageLocationId: o.storageId }),
  "selfBackup.runNow": () => ({}),
  "storageLocations.catalogImport": (o) => ({ id: o.storageId }),
  "restores.create": (o) => ({ backupId: o.backupId, target: "original", confirm: "RESTORE" }),
  "restores.get": (o) => ({ id: o.restoreId }),
  "restores.list": (o) => ({ environmentId: o.environmentId }),
  "restores.discardPreviousCopy": (o) => ({ id: o.restoreId }),
  "restoreDrills.create": (o) => ({ environmentId: o.environmentId }),
  "restoreDrills.get": (o) => ({ id: o.drillId }),
  "restoreDrills.list": (o) => ({ environmentId: o.environmentId }),
  "erasure.list": (o) => ({ projectId: o.projectId }),
  "erasure.add": (o) => ({ projectId: o.projectId, subject: `${unique("erased").replace(" ", "")}@example.test` }),
  "erasure.remove": (o) => ({ id: o.erasureId }),
  "environments.discover": (o) => ({ serverId: o.serverId, source: "odoo", sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "p", dataDir: "/nonexistent" } }),
  "downloadLinks.create": (o) => ({ backupId: o.backupId, artifact: "database", expiresIn: 900 }),
  "downloadLinks.list": (o) => ({ backupId: o.backupId }),
  "downloadLinks.revoke": (o) => ({ id: o.linkId }),
  "backupPolicies.getDefault": () => ({}),
  "backupPolicies.putDefault": () => ({ enabled: true, schedule: "0 3 * * *", timezone: "Europe/Brussels", storageLocationId: null, includeFilestore: true, retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 }, notifyOnSuccess: false, notifyOnFailure: true, notificationChannelIds: [] }),
  "backupPolicies.getOverride": (o) => ({ id: o.environmentId }),
  "backupPolicies.putOverride": (o) => ({ id: o.environmentId, schedule: "30 1 * * *" }),
  "backupPolicies.deleteOverride": (o) => ({ id: o.environmentId }),
  "backupPolicies.getEffective": (o) => ({ id: o.environmentId }),
  "backupPolicies.checkSchedule": () => ({ schedule: "30 3 * * *", timezone: "Europe/Brussels" }),
  "backupPolicies.bulkOverride": (o) => ({ environmentIds: [o.environmentId], override: { enabled: false } }),
  "notificationChannels.list": () => ({}),
  "notificationChannels.failureCoverage": () => ({}),
  "notificationChannels.create": () => ({ name: unique("Channel"), notifier: "webhook", config: { url: "http://127.0.0.1:1/hook", format: "json", secret: "s" } }),
  "notificationChannels.update": (o) => ({ id: o.channelId, name: unique("Channel") }),
  "notificationChannels.delete": (o) => ({ id: o.channelId }),
  "notificationChannels.test": (o) => ({ id: o.channelId }),
  "notificationChannels.deliveries": () => ({}),
  "activity.list": () => ({}),
  "activity.facets": () => undefined,
  "overview.get": () => undefined,
  "dashboard.get": () => ({}),
  "fleet.health": () => ({}),
  "fleet.search": () => ({ q: "" }),
  "workers.status": () => undefined,
};

type ProcedureDef = { _def: { type: "query" | "mutation" | "subscription"; meta?: { access?: Access } } };
const procedures = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
const paths = Object.keys(procedures).sort();
const accessOf = (p: string) => procedures[p]!._def.meta?.access;
const isMutation = (p: string) => procedures[p]!._def.type === "mutation";

let t: TestDatabase;
let plugins: PluginHost;
let a: { principals: Record<Role, Principal>; objects: Objects };
let b: { principals: Record<Role, Principal>; objects: Objects };

async function seedObjects(principals: Record<Role, Principal>, name: string): Promise<Objects> {
  const owner = principals.owner;
  const project = await createProject(t.db, owner, { name: `${name} project`, description: "" });
  const emptyProject = await createProject(t.db, owner, { name: `${name} empty`, description: "" });
  const server = await createServer(t.db, plugins, owner, { name: `${name} host`, kind: "local", config: {} });
  const environment = await createEnvironment(t.db, plugins, owner, {
    projectId: project.id,
    serverId: server.id,
    name: "production",
    stage: "production",
    source: "postgres",
    sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "secret", database: "d" },
  });
  const storage = await createStorageLocation(t.db, plugins, owner, { name: `${name} disk`, provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "sh-matrix-")) } });
  const token = await createApiToken(t.db, owner, { name: `${name} token` });
  const backup = await createBackup(t.db, owner, { environmentId: environment.id, name: `${name} backup`, notes: "", includeFilestore: true, retention: "daily" });
  const [restore] = await t.db
    .insert(restores)
    .values({ orgId: owner.orgId, backupId: backup.id, sourceEnvironmentId: environment.id, target: "original", targetEnvironmentId: environment.id, status: "completed" })
    .returning();
  const [destruction] = await t.db
    .insert(destructions)
    .values({ orgId: owner.orgId, environmentId: environment.id, projectId: project.id, label: `${name} / production`, keepBackups: "90_days", status: "failed", error: "stopped" })
    .returning();
  const [drill] = await t.db.insert(restoreDrills).values({ orgId: owner.orgId, environmentId: environment.id, backupId: backup.id, status: "completed" }).returning();
  const [link] = await t.db
    .insert(downloadLinks)
    .values({ orgId: owner.orgId, backupId: backup.id, artifact: "database", expiresAt: new Date(Date.now() + 60_000), createdBy: owner.userId })
    .returning();
  const erasure = await addErasureSubject(t.db, owner, { projectId: project.id, subject: `someone@${name.toLowerCase()}.test`, note: "" });
  const channel = await createNotificationChannel(t.db, plugins, owner, { name: `${name} hook`, notifier: "webhook", config: { url: "http://127.0.0.1:1/hook", format: "json", secret: "s" } });
  return {
    orgId: owner.orgId,
    projectId: project.id,
    emptyProjectId: emptyProject.id,
    serverId: server.id,
    environmentId: environment.id,
    storageId: storage.id,
    tokenId: token.item.id,
    memberUserId: principals.viewer.userId!,
    backupId: backup.id,
    restoreId: restore!.id,
    drillId: drill!.id,
    erasureId: erasure.id,
    linkId: link!.id,
    channelId: channel.id,
    keyId: (await ensureOrganizationKey(t.db, owner.orgId)).id,
    destructionId: destruction!.id,
  };
}

async function call(principal: Principal | null, procedurePath: string, input: unknown): Promise<{ ok: true; data: unknown } | { ok: false; code: string; message: string }> {
  const caller = callerFor(t.db, plugins, principal) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
  const [group, name] = procedurePath.split(".") as [string, string];
  try {
    return { ok: true, data: await caller[group]![name]!(input) };
  } catch (err) {
    if (err instanceof TRPCError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  plugins = builtinPluginHost();
  const orgA = await createOrgWithMembers(t.db, "Alpha");
  const orgB = await createOrgWithMembers(t.db, "Bravo");
  a = { principals: orgA.principals, objects: await seedObjects(orgA.principals, "Alpha") };
  b = { principals: orgB.principals, objects: await seedObjects(orgB.principals, "Bravo") };
});

afterAll(async () => {
  await t.drop();
});

describe("access matrix over every procedure", () => {
  it("covers every procedure, and every procedure declares who may call it", () => {
    expect(paths).toEqual(Object.keys(INPUTS).sort());
    for (const p of paths) expect(accessOf(p), p).toBeDefined();
    expect(paths.filter((p) => accessOf(p) === "public")).toEqual(["setup.createOwner", "setup.status"]);
  });

  it("answers UNAUTHORIZED to a caller who is not signed in, for every non-public procedure", async () => {
    for (const p of paths.filter((x) => accessOf(x) !== "public")) {
      const result = await call(null, p, INPUTS[p]!(a.objects));
      expect(result, p).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    }
  });

  it("lets a viewer mutate nothing but their own account (password, two-factor, sessions, tokens, active organization)", async () => {
    const allowed: string[] = [];
    for (const p of paths.filter((x) => isMutation(x) && accessOf(x) !== "public")) {
      const result = await call(a.principals.viewer, p, INPUTS[p]!(a.objects));
      if (result.ok || result.code !== "FORBIDDEN") allowed.push(p);
      else if (p === "downloadLinks.create") expect(result.message).toContain("does not let viewers download");
      else expect(result.message, p).toContain("Your role (viewer) cannot do this");
    }
    expect(allowed.sort()).toEqual([
      "account.changePassword",
      "account.confirmTwoFactor",
      "account.disableTwoFactor",
      "account.endSession",
      "account.regenerateRecoveryCodes",
      "account.signOutEverywhere",
      "account.startTwoFactor",
      "apiTokens.create",
      "apiTokens.revoke",
      "me.switchOrganization",
    ]);
  });

  it("keeps members, settings, servers and storage from operators", async () => {
    const refused: string[] = [];
    for (const p of paths.filter((x) => accessOf(x) !== "public")) {
      const result = await call(a.principals.operator, p, INPUTS[p]!(a.objects));
      if (!result.ok && result.code === "FORBIDDEN") refused.push(p);
    }
    expect(refused.sort()).toEqual(
      [
        "backupPolicies.putDefault",
        "backups.trust",
        "lifecycle.destroyEnvironment",
        "lifecycle.offboardProject",
        "lifecycle.purgeEnvironment",
        "lifecycle.purgeProject",
        "organizationKeys.confirmKit",
        "organizationKeys.create",
        "organizationKeys.recoveryKit",
        "organizationKeys.rotate",
        "selfBackup.get",
        "selfBackup.runNow",
        "selfBackup.update",
        "storageLocations.catalogImport",
        "members.add",
        "members.changeRole",
        "members.remove",
        "members.resetPassword",
        "members.resetTwoFactor",
        "erasure.remove",
        "notificationChannels.create",
        "notificationChannels.delete",
        "notificationChannels.test",
        "notificationChannels.update",
        "organization.update",
        "servers.create",
        "servers.delete",
        "servers.testDraft",
        "servers.update",
        "storageLocations.create",
        "storageLocations.delete",
        "storageLocations.update",
      ].sort(),
    );
  });

  it("gives a member of one organization NOT_FOUND for another organization's objects", async () => {
    for (const p of paths.filter((x) => accessOf(x) !== "public")) {
      const touched = new Set<string>();
      const tracked = new Proxy(b.objects, { get: (target, key: string) => (touched.add(key), target[key as keyof Objects]) });
      const input = INPUTS[p]!(tracked);
      const result = await call(a.principals.owner, p, input);
      if (touched.size > 0) {
        if (p === "environments.list" || p === "backups.list" || p === "restores.list" || p === "lifecycle.list") {
          // A filter naming another org's project matches nothing.
          expect(result, p).toMatchObject({ ok: true, data: { items: [] } });
        } else {
          expect(result, p).toMatchObject({ ok: false, code: "NOT_FOUND" });
        }
      } else if (result.ok) {
        const body = JSON.stringify(result.data) ?? "";
        for (const id of Object.values(b.objects)) expect(body, `${p} leaks ${id}`).not.toContain(id);
      }
    }
    // Another org's objects are still there, untouched.
    expect(await call(b.principals.viewer, "environments.get", { id: b.objects.environmentId })).toMatchObject({ ok: true });
    expect(await call(b.principals.viewer, "projects.get", { id: b.objects.emptyProjectId })).toMatchObject({ ok: true });
  });

  it("refuses an admin who tries to create or change an owner", async () => {
    expect(await call(a.principals.admin, "members.changeRole", { userId: a.principals.operator.userId, role: "owner" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await call(a.principals.admin, "members.remove", { userId: a.principals.owner.userId })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await call(a.principals.owner, "members.changeRole", { userId: a.principals.owner.userId, role: "admin" })).toMatchObject({
      ok: false,
      code: "CONFLICT",
      message: expect.stringContaining("at least one owner"),
    });
  });

  it("lets each procedure's minimum role through", async () => {
    const minimum: Record<Exclude<Access, "public">, Role> = { self: "viewer", viewer: "viewer", operator: "operator", admin: "admin", owner: "owner" };
    for (const p of paths.filter((x) => accessOf(x) !== "public")) {
      const role = minimum[accessOf(p) as Exclude<Access, "public">];
      // Viewers create download links only when their organization allows it (tested with the links).
      if (p === "downloadLinks.create") continue;
      const result = await call(a.principals[role], p, INPUTS[p]!(a.objects));
      if (!result.ok) expect(["FORBIDDEN", "UNAUTHORIZED"], `${p} as ${role}: ${result.message}`).not.toContain(result.code);
    }
  });
});
