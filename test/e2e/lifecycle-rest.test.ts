import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackupSetup, listFiles } from "../helpers/backup-env";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, databaseExists, odooState, type OdooClient } from "../helpers/restore-env";

const plugins = builtinPluginHost();
let t: TestDatabase;
let app: ConsoleProcess;
let members: Record<"owner" | "admin" | "operator" | "viewer", Principal>;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let environmentId: string;
const tokens: Record<string, string> = {};

async function api(method: string, route: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: members } = await createOrgWithMembers(t.db, "Lifecycle REST"));
  for (const role of ["admin", "operator"] as const) tokens[role] = (await createApiToken(t.db, members[role], { name: `${role} pipeline` })).token;
  setup = await createBackupSetup(t.db, plugins, members.owner);
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, members.owner, setup, client, "retiring")).id;
  app = await startTestConsole(t, "lifecycle-rest");
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await client?.drop();
  await t?.drop();
});

describe("the environment lifecycle over REST", () => {
  it("destroys an environment, restores its final backup into a new environment, and purges it", async () => {
    const original = await odooState(client);
    const destroy = { confirm: "retiring", keepBackups: "90_days" };
    expect((await api("POST", `/environments/${environmentId}/destroy`, tokens.operator!, destroy)).status).toBe(403);
    const wrongName = await api("POST", `/environments/${environmentId}/destroy`, tokens.admin!, { ...destroy, confirm: "RETIRING" });
    expect(wrongName).toMatchObject({ status: 422, body: { error: { message: 'Type the environment\'s name, "retiring", to confirm' } } });

    const requested = await api("POST", `/environments/${environmentId}/destroy`, tokens.admin!, destroy);
    expect(requested).toMatchObject({ status: 202, body: { status: "pending", keepBackups: "90_days", label: expect.stringMatching(/ \/ retiring$/) } });
    const destruction = await until(
      () => api("GET", `/destructions/${requested.body.id as string}`, tokens.operator!),
      (r) => r.body.status === "completed" || r.body.status === "failed",
      "destroy",
    );
    expect(destruction.body, String(destruction.body.error)).toMatchObject({ status: "completed", removed: [`database "${client.database}"`, `filestore ${client.filestore()}`] });
    const finalId = destruction.body.backupId as string;

    // The server no longer has the data; storage still has the final backup.
    expect(await databaseExists(client.database)).toBe(false);
    expect(fs.existsSync(client.filestore())).toBe(false);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(finalId)).length).toBeGreaterThanOrEqual(3);
    expect((await api("GET", `/backups/${finalId}`, tokens.operator!)).body).toMatchObject({ type: "pre_destroy", status: "completed", verified: true });

    // Archived: gone from the active list, in the archived one, never backed up again.
    const active = await api("GET", `/environments?projectId=${setup.project.id}`, tokens.operator!);
    expect((active.body.items as { id: string }[]).map((e) => e.id)).not.toContain(environmentId);
    const archived = await api("GET", `/environments?projectId=${setup.project.id}&view=archived`, tokens.operator!);
    expect(archived.body.items).toMatchObject([{ id: environmentId, keepBackups: "90_days", archivedAt: expect.any(String) }]);
    expect((await api("POST", `/environments/${environmentId}/backups`, tokens.operator!, {})).status).toBe(409);

    // The final backup restores into a new environment, on the same database name.
    const restore = await api("POST", `/backups/${finalId}/restores`, tokens.operator!, {
      target: "new_environment",
      newEnvironment: { projectId: setup.project.id, name: "returning", stage: "production", serverId: setup.server.id, sourceConfig: {} },
      safetyBackup: false,
      includeFilestore: true,
      neutralize: false,
      confirm: "RESTORE",
    });
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    const restored = await until(
      () => api("GET", `/restores/${restore.body.id as string}`, tokens.operator!),
      (r) => r.body.status === "completed" || r.body.status === "failed",
      "restore",
    );
    expect(restored.body, String(restored.body.error)).toMatchObject({ status: "completed" });
    expect((await odooState(client)).files).toEqual(original.files);

    // Purge: refused to operators, then the backup leaves storage and the environment is gone.
    expect((await api("POST", `/environments/${environmentId}/purge`, tokens.operator!, { confirm: "retiring" })).status).toBe(403);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(finalId)).length).toBeGreaterThanOrEqual(3);
    expect((await api("POST", `/environments/${environmentId}/purge`, tokens.admin!, { confirm: "retiring" })).status).toBe(204);
    expect(listFiles(setup.storageDir).filter((f) => f.includes(finalId))).toEqual([]);
    expect((await api("GET", `/backups/${finalId}`, tokens.operator!)).status).toBe(404);
    expect((await api("GET", `/environments/${environmentId}`, tokens.operator!)).status).toBe(404);
    // The restored environment lives on.
    expect((await api("GET", `/environments/${restored.body.targetEnvironmentId as string}`, tokens.operator!)).body).toMatchObject({ name: "returning", archivedAt: null });
  });

  it("takes a pre-upgrade backup for a deploy pipeline, held until released, and pins and annotates it", async () => {
    const env = (await api("GET", `/environments?projectId=${setup.project.id}`, tokens.operator!)).body.items as { id: string }[];
    const created = await api("POST", `/environments/${env[0]!.id}/backups`, tokens.operator!, { type: "pre_upgrade", name: "Before deploy 42" });
    expect(created).toMatchObject({ status: 202, body: { type: "pre_upgrade", held: true } });
    const id = created.body.id as string;
    const done = await until(() => api("GET", `/backups/${id}`, tokens.operator!), (r) => r.body.status === "completed" || r.body.status === "failed", "pre-upgrade backup");
    expect(done.body).toMatchObject({ status: "completed", verified: true, held: true, application: { name: "Odoo" } });
    expect((await api("PUT", `/backups/${id}`, tokens.operator!, { pinned: true, notes: "Deploy 42 rolled out" })).body).toMatchObject({ pinned: true, notes: "Deploy 42 rolled out", name: "Before deploy 42" });
    expect((await api("POST", `/backups/${id}/release`, tokens.operator!)).body).toMatchObject({ held: false, pinned: true });
  });

  it("offboards the client: every environment destroyed, the project archived, then purged", async () => {
    const offboard = { confirm: setup.project.name, keepBackups: "permanent" };
    expect((await api("POST", `/projects/${setup.project.id}/offboard`, tokens.operator!, offboard)).status).toBe(403);
    const requested = await api("POST", `/projects/${setup.project.id}/offboard`, tokens.admin!, offboard);
    expect(requested).toMatchObject({ status: 202, body: { items: [{ status: "pending", offboarding: true, keepBackups: "permanent" }] } });
    const id = (requested.body.items as { id: string }[])[0]!.id;
    const done = await until(() => api("GET", `/destructions/${id}`, tokens.operator!), (r) => r.body.status === "completed" || r.body.status === "failed", "offboard");
    expect(done.body, String(done.body.error)).toMatchObject({ status: "completed" });
    expect(await databaseExists(client.database)).toBe(false);

    expect((await api("GET", "/projects", tokens.operator!)).body.items).toEqual([]);
    expect((await api("GET", "/projects?view=archived", tokens.operator!)).body.items).toMatchObject([{ id: setup.project.id, archivedAt: expect.any(String), environmentCount: 0 }]);
    // The first environment's destroy went with its purge; this one's is listed.
    expect((await api("GET", `/destructions?projectId=${setup.project.id}`, tokens.operator!)).body.items).toMatchObject([{ id, offboarding: true }]);

    expect((await api("POST", `/projects/${setup.project.id}/purge`, tokens.admin!, { confirm: setup.project.name })).status).toBe(204);
    expect((await api("GET", `/projects/${setup.project.id}`, tokens.operator!)).status).toBe(404);
    // The backups' own files go with the purge; the filestore objects only they referenced go with the sweep it queues.
    await expect.poll(() => listFiles(setup.storageDir), { timeout: 30_000, interval: 500 }).toEqual([]);
  });
});
