import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { freePort } from "../helpers/ports";

/**
 * One request per error status against a console started as `npm start` starts it. When the web routes and the
 * worker shared one process, it held two copies of the server code (Next's build and tsx) and an error thrown by
 * one was no instance of the other's classes: these answers were 500. Errors are mapped by their code now, and
 * each process loads the code once (supervised-processes.test.ts).
 */
let c: ConsoleWithMembers;

beforeAll(async () => {
  c = await startConsoleWithMembers();
});

afterAll(async () => {
  await c?.stop();
});

describe("REST error statuses on a spawned console", () => {
  it("401 without a token", async () => {
    const response = await fetch(`${c.app.url}/api/v1/projects`);
    expect(response.status).toBe(401);
  });

  it("403 when the role is too low", async () => {
    expect(await c.rest(c.members.viewer, "POST", "/projects", { name: "Not yours" })).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
  });

  it("404 for an object that does not exist", async () => {
    expect(await c.rest(c.members.viewer, "GET", `/projects/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("409 for a duplicate name, not 500 (the database's unique index decides)", async () => {
    const disk = { name: "Twice", provider: "local", config: { path: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-statuses-")) } };
    expect((await c.rest(c.members.admin, "POST", "/storage-locations", disk)).status).toBe(200);
    const again = await c.rest(c.members.admin, "POST", "/storage-locations", disk);
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict", message: expect.stringContaining("already exists") } } });
  });

  it("413 for a body over 1 MB", async () => {
    const response = await fetch(`${c.app.url}/api/v1/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.members.operator.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  it("422 for an unknown storage provider, not 500", async () => {
    const answer = await c.rest(c.members.admin, "POST", "/storage-locations", { name: "x", provider: "nope", config: {} });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: "unprocessable_content" } } });
  });

  it("502 when a server cannot be reached", async () => {
    const server = await c.rest(c.members.admin, "POST", "/servers", { name: "This host", kind: "local", config: {} });
    const port = await freePort();
    const answer = await c.rest(c.members.operator, "POST", `/servers/${(server.body as { id: string }).id}/discover`, {
      source: "odoo",
      sourceConfig: { host: "127.0.0.1", port, user: "nobody", password: "nothing-here" },
    });
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 502, body: { error: { code: "bad_gateway" } } });
  });
});
