import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";

/**
 * Each REST route added for scripting, called once on a console started as `npm start` starts it, with the
 * lowest role that may call it, and refused (403) to the role just below.
 */
let c: ConsoleWithMembers;
const ids = {} as Record<"project" | "server" | "storage" | "environment" | "viewerUserId", string>;
const idOf = (body: unknown) => (body as { id: string }).id;

beforeAll(async () => {
  c = await startConsoleWithMembers();
  const { owner } = c.members;
  ids.project = idOf((await c.rest(owner, "POST", "/projects", { name: "Coverage" })).body);
  ids.server = idOf((await c.rest(owner, "POST", "/servers", { name: "This host", kind: "local", config: {} })).body);
  ids.storage = idOf((await c.rest(owner, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-coverage-")) } })).body);
  const environment = await c.rest(owner, "POST", "/environments", {
    projectId: ids.project,
    serverId: ids.server,
    name: "production",
    stage: "production",
    source: "postgres",
    sourceConfig: { host: "127.0.0.1", port: 1, user: "u", password: "p", database: "d" },
  });
  ids.environment = idOf(environment.body);
});

afterAll(async () => {
  await c?.stop();
});

describe("REST routes for scripting, on a spawned console", () => {
  it("reads the activity log with its filters, and who the caller is", async () => {
    const { viewer } = c.members;
    const activity = await c.rest(viewer, "GET", "/activity?limit=2&outcome=success&targetType=project");
    expect(activity).toMatchObject({ status: 200, body: { items: [{ targetType: "project", outcome: "success" }], nextCursor: null } });
    const paged = await c.rest(viewer, "GET", "/activity?limit=1");
    expect(paged.body).toMatchObject({ items: [expect.any(Object)], nextCursor: expect.any(String) });
    expect(await c.rest(viewer, "GET", "/me")).toMatchObject({ status: 200, body: { role: "viewer", organizations: [{ name: "Security agency" }] } });
    expect(await c.rest(viewer, "GET", "/organization")).toMatchObject({ status: 200, body: { name: "Security agency" } });
    expect(await c.rest(viewer, "GET", "/overview")).toMatchObject({ status: 200, body: { projects: 1, environments: 1, servers: 1, storageLocations: 1, members: 4 } });
    expect(await c.rest(viewer, "GET", "/workers")).toMatchObject({ status: 200, body: { running: 1 } });
    // The built-in default policy notifies on failure and names no channel: its failures reach no one.
    expect(await c.rest(viewer, "GET", "/notification-channels/failure-coverage")).toMatchObject({ status: 200, body: { defaultPolicy: { reachesNoOne: true }, environments: { count: 1 } } });
    expect(await c.rest(viewer, "GET", "/restores")).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    expect(await c.rest(viewer, "GET", "/fleet/health")).toMatchObject({ status: 200, body: { projects: [{ name: "Coverage", status: "first_run_scheduled", environments: [{ name: "production" }] }] } });
    expect(await c.rest(viewer, "GET", "/fleet/search?q=cover&limit=5")).toMatchObject({ status: 200, body: { projects: [{ name: "Coverage", environments: 1 }], backups: [] } });
  });

  it("lists, adds, re-roles and removes members as an admin; a token cannot create accounts", async () => {
    const { admin, operator, viewer } = c.members;
    const listed = await c.rest(viewer, "GET", "/members");
    expect(listed).toMatchObject({ status: 200, body: { items: expect.any(Array), nextCursor: null } });
    const items = (listed.body as { items: Array<{ userId: string; email: string; role: string }> }).items;
    expect(items.map((m) => m.role).sort()).toEqual(["admin", "operator", "owner", "viewer"]);
    ids.viewerUserId = items.find((m) => m.role === "viewer")!.userId;

    expect(await c.rest(operator, "POST", "/members", { email: viewer.email, role: "viewer" })).toMatchObject({ status: 403 });
    // A new account is a way in that outlives the token: refused over a token, like creating tokens.
    expect(await c.rest(admin, "POST", "/members", { email: "new@security.test", password: "violet-harbour-tractor", role: "viewer" })).toMatchObject({ status: 403, body: { error: { message: expect.stringContaining("sign in") } } });
    expect(await c.rest(admin, "POST", "/members", { email: viewer.email, role: "viewer" })).toMatchObject({ status: 409 });

    expect(await c.rest(operator, "PUT", `/members/${ids.viewerUserId}`, { role: "operator" })).toMatchObject({ status: 403 });
    expect((await c.rest(admin, "PUT", `/members/${ids.viewerUserId}`, { role: "operator" })).status).toBe(204);
    expect((await c.rest(admin, "GET", "/members")).body).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ userId: ids.viewerUserId, role: "operator" })]) });
    expect((await c.rest(admin, "PUT", `/members/${ids.viewerUserId}`, { role: "viewer" })).status).toBe(204);
  });

  it("lists and revokes one's own API tokens; creating one over a token is not a route", async () => {
    const { owner, viewer } = c.members;
    const created = await c.trpc(owner, "apiTokens.create", { name: "spare" });
    expect(created).toMatchObject({ status: 403 });
    expect((await c.rest(owner, "POST", "/api-tokens", { name: "spare" })).status).toBe(404);
    const listed = await c.rest(viewer, "GET", "/api-tokens");
    expect(listed).toMatchObject({ status: 200, body: { items: [{ name: "tests", revokedAt: null }], nextCursor: null } });
    expect(JSON.stringify(listed.body)).not.toContain(viewer.token);
    const tokenId = (listed.body as { items: Array<{ id: string }> }).items[0]!.id;
    // Another member's token is not theirs to revoke.
    expect(await c.rest(owner, "POST", `/api-tokens/${tokenId}/revoke`)).toMatchObject({ status: 404 });
  });

  it("gets, changes and tests servers, storage locations, projects and environments", async () => {
    const { admin, operator, viewer } = c.members;
    expect(await c.rest(viewer, "GET", `/servers/${ids.server}`)).toMatchObject({ status: 200, body: { id: ids.server, kind: "local" } });
    expect(await c.rest(operator, "PUT", `/servers/${ids.server}`, { name: "Renamed host" })).toMatchObject({ status: 403 });
    expect(await c.rest(admin, "PUT", `/servers/${ids.server}`, { name: "Renamed host" })).toMatchObject({ status: 200, body: { name: "Renamed host" } });
    expect(await c.rest(viewer, "POST", `/servers/${ids.server}/test`)).toMatchObject({ status: 403 });
    expect(await c.rest(operator, "POST", `/servers/${ids.server}/test`)).toMatchObject({ status: 200, body: { ok: true } });

    expect(await c.rest(viewer, "GET", `/storage-locations/${ids.storage}`)).toMatchObject({ status: 200, body: { id: ids.storage, provider: "local" } });
    expect(await c.rest(operator, "PUT", `/storage-locations/${ids.storage}`, { name: "Renamed disk" })).toMatchObject({ status: 403 });
    expect(await c.rest(admin, "PUT", `/storage-locations/${ids.storage}`, { name: "Renamed disk" })).toMatchObject({ status: 200, body: { name: "Renamed disk" } });

    expect(await c.rest(viewer, "PUT", `/projects/${ids.project}`, { description: "x" })).toMatchObject({ status: 403 });
    expect(await c.rest(operator, "PUT", `/projects/${ids.project}`, { description: "Scripted" })).toMatchObject({ status: 200, body: { description: "Scripted" } });

    expect(await c.rest(viewer, "PUT", `/environments/${ids.environment}`, { stage: "staging" })).toMatchObject({ status: 403 });
    expect(await c.rest(operator, "PUT", `/environments/${ids.environment}`, { stage: "staging" })).toMatchObject({ status: 200, body: { stage: "staging" } });
    expect(await c.rest(viewer, "POST", `/environments/${ids.environment}/test`)).toMatchObject({ status: 403 });
    // Port 1 answers nothing: the test runs and says so.
    expect(await c.rest(operator, "POST", `/environments/${ids.environment}/test`)).toMatchObject({ status: 200, body: { ok: false, message: expect.any(String) } });
  });

  it("lists a backup's download links", async () => {
    const { operator, viewer } = c.members;
    const backup = await c.rest(operator, "POST", `/environments/${ids.environment}/backups`, { name: "links" });
    expect(backup.status).toBe(202);
    expect(await c.rest(viewer, "GET", `/backups/${idOf(backup.body)}/download-links`)).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    // Port 1 answers nothing: the backup fails; once it has ended it can be deleted (the environment then can be too).
    for (let i = 0; i < 200; i++) {
      const status = ((await c.rest(viewer, "GET", `/backups/${idOf(backup.body)}`)).body as { status: string }).status;
      if (status !== "pending" && status !== "in_progress" && status !== "uploading") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await c.rest(operator, "DELETE", `/backups/${idOf(backup.body)}`)).status).toBe(204);
  });

  it("deletes environments, projects, storage locations and servers, and removes members", async () => {
    const { admin, operator, viewer } = c.members;
    expect(await c.rest(viewer, "DELETE", `/environments/${ids.environment}`)).toMatchObject({ status: 403 });
    expect((await c.rest(operator, "DELETE", `/environments/${ids.environment}`)).status).toBe(204);
    expect(await c.rest(viewer, "DELETE", `/projects/${ids.project}`)).toMatchObject({ status: 403 });
    expect((await c.rest(operator, "DELETE", `/projects/${ids.project}`)).status).toBe(204);
    expect(await c.rest(operator, "DELETE", `/storage-locations/${ids.storage}`)).toMatchObject({ status: 403 });
    expect((await c.rest(admin, "DELETE", `/storage-locations/${ids.storage}`)).status).toBe(204);
    expect(await c.rest(operator, "DELETE", `/servers/${ids.server}`)).toMatchObject({ status: 403 });
    expect((await c.rest(admin, "DELETE", `/servers/${ids.server}`)).status).toBe(204);
    expect((await c.rest(viewer, "GET", `/servers/${ids.server}`)).status).toBe(404);

    expect(await c.rest(operator, "DELETE", `/members/${ids.viewerUserId}`)).toMatchObject({ status: 403 });
    expect((await c.rest(admin, "DELETE", `/members/${ids.viewerUserId}`)).status).toBe(204);
    // The removed member's token no longer opens this organization.
    expect((await c.rest(viewer, "GET", "/projects")).status).toBe(401);
    // Someone who has an account is added back by email, over a token.
    expect(await c.rest(admin, "POST", "/members", { email: viewer.email, role: "viewer" })).toMatchObject({ status: 200, body: { userId: ids.viewerUserId } });
    expect((await c.rest(viewer, "GET", "/projects")).status).toBe(200);
  });

  it("lets a token revoke itself", async () => {
    const { operator } = c.members;
    const mine = (await c.rest(operator, "GET", "/api-tokens")).body as { items: Array<{ id: string }> };
    expect((await c.rest(operator, "POST", `/api-tokens/${mine.items[0]!.id}/revoke`)).status).toBe(204);
    expect((await c.rest(operator, "GET", "/api-tokens")).status).toBe(401);
  });
});
