import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { activityLog, environments, notificationChannels, type Role } from "@/server/db/schema";
import { SEALED_COLUMNS } from "@/server/db/sealed-columns";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/server/errors";
import type { PluginHost } from "@/server/plugins/host";
import { SECRET_MASK } from "@/shared/secret-mask";
import { createBackup } from "@/server/services/backup-lifecycle";
import { configuredResource } from "@/server/services/configured-resource";
import { createEnvironment } from "@/server/services/environments";
import { createNotificationChannel, findNotificationChannel, updateNotificationChannel } from "@/server/services/notification-channels";
import { storedConfig } from "@/server/services/plugin-config";
import { createProject } from "@/server/services/projects";
import { createServer, deleteServer, findServer } from "@/server/services/servers";
import { createStorageLocation, deleteStorageLocation, findStorageLocation, testStorageLocation } from "@/server/services/storage-locations";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

let t: TestDatabase;
let plugins: PluginHost;
let principals: Record<Role, Principal>;
let other: Record<Role, Principal>;

beforeAll(async () => {
  t = await createTestDatabase();
  plugins = builtinPluginHost();
  principals = (await createOrgWithMembers(t.db, "Resources")).principals;
  other = (await createOrgWithMembers(t.db, "Elsewhere")).principals;
});

afterAll(async () => {
  await t?.drop();
});

async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

async function actions(targetId: string): Promise<string[]> {
  const rows = await t.db.select({ action: activityLog.action }).from(activityLog).where(eq(activityLog.targetId, targetId)).orderBy(activityLog.createdAt);
  return rows.map((r) => r.action);
}

describe("configured resources: saved secrets and identity fields", () => {
  it("keeps a saved secret while the identity fields are unchanged, and asks for it again once one changes", async () => {
    const owner = principals.owner;
    const channel = await createNotificationChannel(t.db, plugins, owner, { name: "hook", notifier: "webhook", config: { url: "http://127.0.0.1:1/hook", format: "json", secret: "first-secret" } });
    expect(channel.config).toEqual({ url: SECRET_MASK, format: "json", secret: SECRET_MASK });
    const whole = async () => {
      const row = await findNotificationChannel(t.db, owner, channel.id);
      return storedConfig(SEALED_COLUMNS.notificationChannelSecrets, row.id, row.config, row.secrets);
    };

    // A rename alone, then masked secrets sent back with a non-identity field changed: both keep the secrets.
    await updateNotificationChannel(t.db, plugins, owner, { id: channel.id, name: "hook renamed" });
    await updateNotificationChannel(t.db, plugins, owner, { id: channel.id, config: { url: SECRET_MASK, format: "slack", secret: SECRET_MASK } });
    expect(await whole()).toEqual({ url: "http://127.0.0.1:1/hook", format: "slack", secret: "first-secret" });

    // Another URL with the signing secret masked: the secret would follow to a new destination, so it is refused.
    const err = await rejection(() => updateNotificationChannel(t.db, plugins, owner, { id: channel.id, config: { url: "http://127.0.0.1:2/hook", format: "json", secret: SECRET_MASK } }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe("Type the signing secret again: URL changed, and a saved secret is only ever sent where it was saved for");
    expect((err as ValidationError).fields).toEqual({ "config.secret": "Type the signing secret again: URL changed" });
    expect(await whole()).toEqual({ url: "http://127.0.0.1:1/hook", format: "slack", secret: "first-secret" });

    // Typed again, it is taken.
    await updateNotificationChannel(t.db, plugins, owner, { id: channel.id, config: { url: "http://127.0.0.1:2/hook", format: "json", secret: "second-secret" } });
    expect(await whole()).toEqual({ url: "http://127.0.0.1:2/hook", format: "json", secret: "second-secret" });
    expect(await actions(channel.id)).toEqual(["notification_channel.create", "notification_channel.update", "notification_channel.update", "notification_channel.update"]);
  });

  it("refuses a name already taken in the organization, on create and on rename, and allows it in another one", async () => {
    const owner = principals.owner;
    await createNotificationChannel(t.db, plugins, owner, { name: "taken", notifier: "webhook", config: { url: "http://127.0.0.1:1/a", format: "json" } });
    const second = await createNotificationChannel(t.db, plugins, owner, { name: "free", notifier: "webhook", config: { url: "http://127.0.0.1:1/b", format: "json" } });
    const clash = await rejection(() => createNotificationChannel(t.db, plugins, owner, { name: "taken", notifier: "webhook", config: { url: "http://127.0.0.1:1/c", format: "json" } }));
    expect(clash).toBeInstanceOf(ConflictError);
    expect(clash.message).toBe('A notification channel named "taken" already exists');
    const rename = await rejection(() => updateNotificationChannel(t.db, plugins, owner, { id: second.id, name: "taken" }));
    expect(rename.message).toBe('A notification channel named "taken" already exists');
    await expect(updateNotificationChannel(t.db, plugins, owner, { id: second.id, name: "free" })).resolves.toMatchObject({ name: "free" });
    await expect(createNotificationChannel(t.db, plugins, other.owner, { name: "taken", notifier: "webhook", config: { url: "http://127.0.0.1:1/d", format: "json" } })).resolves.toMatchObject({ name: "taken" });
  });
});

describe("configured resources: what still uses a row", () => {
  it("refuses to delete a server that hosts an environment, or a location that holds a backup, until they go", async () => {
    const owner = principals.owner;
    const server = await createServer(t.db, plugins, owner, { name: "Guarded host", kind: "local", config: {} });
    const storage = await createStorageLocation(t.db, plugins, owner, { name: "Guarded disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "sh-resources-")) }, isDefault: true });
    const project = await createProject(t.db, owner, { name: "Guarded project", description: "" });
    const environment = await createEnvironment(t.db, plugins, owner, {
      projectId: project.id,
      serverId: server.id,
      name: "production",
      stage: "production",
      source: "postgres",
      sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "secret", database: "d" },
    });
    await createBackup(t.db, owner, { environmentId: environment.id, name: "kept", notes: "", includeFilestore: true, retention: "daily", storageLocationId: storage.id });

    const hosts = await rejection(() => deleteServer(t.db, owner, server.id));
    expect(hosts).toBeInstanceOf(ConflictError);
    expect(hosts.message).toBe('"Guarded host" still hosts 1 environment(s): move or delete them first');
    const holds = await rejection(() => deleteStorageLocation(t.db, owner, storage.id));
    expect(holds).toBeInstanceOf(ConflictError);
    expect(holds.message).toBe('"Guarded disk" still holds 1 backup(s): delete them or let them expire first');
    expect(await findServer(t.db, owner, server.id)).toMatchObject({ environmentCount: 1 });
    expect(await findStorageLocation(t.db, owner, storage.id)).toMatchObject({ backupCount: 1 });

    await t.db.delete(environments).where(eq(environments.id, environment.id)); // its backups go with it
    await deleteServer(t.db, owner, server.id);
    await deleteStorageLocation(t.db, owner, storage.id);
    expect(await actions(server.id)).toEqual(["server.create", "server.delete"]);
    expect(await actions(storage.id)).toEqual(["storage_location.create", "storage_location.delete"]);
  });

  it("runs a descriptor's guard and its before-delete step in the delete's transaction", async () => {
    const owner = principals.owner;
    type Row = typeof notificationChannels.$inferSelect;
    type Create = { name: string; notifier: string; config: Record<string, unknown> };
    const resource = configuredResource<"notifier", Row, object, { id: string; name: string }, Create, { id: string }>({
      table: notificationChannels,
      noun: "test channel",
      contribution: "notifiers",
      kindField: "notifier",
      kindLabel: "Notifier",
      secrets: SEALED_COLUMNS.notificationChannelSecrets,
      activity: "test_channel",
      roles: { read: "viewer", write: "admin", test: "admin", testSettings: "admin" },
      deleteGuard: (row) => (row.name.startsWith("keep") ? `"${row.name}" is kept` : undefined),
      beforeDelete: async (tx, _actor, row) => {
        await tx.update(notificationChannels).set({ name: `${row.name} (going)` }).where(eq(notificationChannels.id, row.id));
        if (row.name.startsWith("fail")) throw new Error("before-delete failed");
      },
      toItem: (row) => ({ id: row.id, name: row.name }),
      create: {},
      update: {},
      test: { settingsForbidden: "no", draftLabel: (id) => id, probe: async () => ({ ok: true, message: "ok" }) },
    });
    const kept = await resource.create(t.db, plugins, owner, { name: "keep me", notifier: "webhook", config: { url: "http://127.0.0.1:1/k", format: "json" } });
    const failing = await resource.create(t.db, plugins, owner, { name: "fail me", notifier: "webhook", config: { url: "http://127.0.0.1:1/f", format: "json" } });
    const going = await resource.create(t.db, plugins, owner, { name: "go", notifier: "webhook", config: { url: "http://127.0.0.1:1/g", format: "json" } });

    expect((await rejection(() => resource.delete(t.db, owner, kept.id))).message).toBe('"keep me" is kept');
    expect((await rejection(() => resource.delete(t.db, owner, failing.id))).message).toBe("before-delete failed");
    // The failed delete left nothing behind: not the rename of its before-delete step, not an activity entry.
    expect(await resource.find(t.db, owner, failing.id)).toMatchObject({ name: "fail me" });
    expect(await actions(failing.id)).toEqual(["test_channel.create"]);
    await resource.delete(t.db, owner, going.id);
    await expect(resource.find(t.db, owner, going.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await actions(going.id)).toEqual(["test_channel.create", "test_channel.delete"]);
    // Roles are the descriptor's, whoever calls.
    expect(await rejection(() => resource.delete(t.db, principals.operator, kept.id))).toBeInstanceOf(ForbiddenError);
  });
});

describe("configured resources: scope and roles", () => {
  it("finds rows of the actor's organization only, naming the field that pointed elsewhere", async () => {
    const server = await createServer(t.db, plugins, principals.owner, { name: "Scoped host", kind: "local", config: {} });
    const err = await rejection(() => findServer(t.db, other.owner, server.id, "serverId"));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("Server (serverId)");
    const rows = await t.db.select().from(activityLog).where(and(eq(activityLog.targetId, server.id), eq(activityLog.action, "server.create")));
    expect(rows[0]).toMatchObject({ message: "Kind local" });
  });

  it("lets operators test saved locations but not edited or new settings", async () => {
    const storage = await createStorageLocation(t.db, plugins, principals.owner, { name: "Tested disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "sh-resources-")) } });
    await expect(testStorageLocation(t.db, plugins, principals.operator, { id: storage.id })).resolves.toMatchObject({ ok: true });
    const draft = await rejection(() => testStorageLocation(t.db, plugins, principals.operator, { provider: "local", config: { path: os.tmpdir() } }));
    expect(draft).toBeInstanceOf(ForbiddenError);
    expect(draft.message).toBe("Testing edited or new storage settings needs the admin role; operators can test saved locations");
    await expect(testStorageLocation(t.db, plugins, principals.admin, { provider: "local", config: { path: os.tmpdir() } })).resolves.toMatchObject({ ok: true });
    expect(await actions(storage.id)).toEqual(["storage_location.create", "storage_location.test"]);
  });
});
