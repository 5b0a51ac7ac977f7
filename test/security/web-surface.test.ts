import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupArtifacts, backups } from "@/server/db/schema";
import { startConsoleWithMembers, type ConsoleWithMembers } from "../helpers/console-members";
import { startConsole, type ConsoleProcess } from "../helpers/console-process";
import { freePort } from "../helpers/ports";
import { postChunked, postDeclaringLength } from "../helpers/raw-http";
import { signInOverHttp } from "../helpers/http-sign-in";

/**
 * Issue 12, web surface: each rule tried through HTTP against a console started the way `npm start` starts it.
 */
let c: ConsoleWithMembers;
let httpsConsole: ConsoleProcess;
let httpsConsoleUrl: string;
let ownerCookie: string;
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-web-surface-"));
const ids = { storage: "", project: "", backup: "" };
/** An object key that is markup: the local storage's "does not exist" error repeats it. */
const HOSTILE_KEY = `<script>alert(document.cookie)</script><img src=x onerror=alert(1)>.json`;

function idOf(answer: { status: number; body: unknown }): string {
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return (answer.body as { id: string }).id;
}

/** A completed backup whose manifest the storage does not hold: fetching it makes the storage fail. */
async function backupMissingFromStorage(): Promise<string> {
  const { admin, operator } = c.members;
  const serverId = idOf(await c.rest(admin, "POST", "/servers", { name: "This host", kind: "local", config: {} }));
  const environmentId = idOf(
    await c.rest(operator, "POST", "/environments", {
      projectId: ids.project,
      name: "production",
      stage: "production",
      serverId,
      source: "postgres",
      sourceConfig: { host: "127.0.0.1", port: 5, user: "odoo", password: "x", database: "odoo" },
    }),
  );
  const orgId = (await c.t.sql<Array<{ orgId: string }>>`select org_id as "orgId" from projects where id = ${ids.project}`)[0]!.orgId;
  const [backup] = await c.t.db
    .insert(backups)
    .values({ orgId, projectId: ids.project, environmentId, storageLocationId: ids.storage, type: "manual", status: "completed", retentionClass: "daily", verified: true, finishedAt: new Date() })
    .returning();
  await c.t.db.insert(backupArtifacts).values({ backupId: backup!.id, kind: "manifest", key: HOSTILE_KEY, size: 10, sha256: "0".repeat(64) });
  return backup!.id;
}

beforeAll(async () => {
  c = await startConsoleWithMembers();
  const port = await freePort();
  // A console whose public URL is https, reached here over plain http on loopback (as a TLS proxy would).
  httpsConsole = await startConsole({ DATABASE_URL: c.t.url, SAFEHOLD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "safehold-web-https-")), PORT: String(port), SAFEHOLD_PUBLIC_URL: "https://backups.example.test" });
  httpsConsoleUrl = `http://127.0.0.1:${port}`;
  const signedIn = await signInOverHttp(c.app.url, { email: c.members.owner.email, password: "owner-password-1" });
  if (!signedIn.cookie) throw new Error(`sign-in failed: ${signedIn.error}`);
  ownerCookie = signedIn.cookie;
  ids.storage = idOf(await c.rest(c.members.admin, "POST", "/storage-locations", { name: "Disk", provider: "local", config: { path: storageDir }, isDefault: true }));
  ids.project = idOf(await c.rest(c.members.operator, "POST", "/projects", { name: "Client" }));
  ids.backup = await backupMissingFromStorage();
});

afterAll(async () => {
  await httpsConsole?.stop();
  await c?.stop();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

describe("security headers", () => {
  function expectHardened(response: Response, what: string): string {
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+={0,2}' 'strict-dynamic'/);
    expect(csp, what).not.toContain("unsafe-eval");
    for (const directive of ["frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"]) expect(csp, what).toContain(directive);
    expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(response.headers.get("referrer-policy"), what).toBe("no-referrer");
    expect(response.headers.get("x-frame-options"), what).toBe("DENY");
    return csp;
  }

  it("are on pages, API answers, auth routes, static files, 404s and download-link errors", async () => {
    const page = await fetch(`${c.app.url}/signin`);
    const html = await page.text();
    const nonce = /'nonce-([^']+)'/.exec(expectHardened(page, "page"))![1]!;
    // Every script Next wrote carries this response's nonce, so the policy lets the page run.
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    const again = await fetch(`${c.app.url}/signin`);
    expect(expectHardened(again, "page again")).not.toContain(nonce);

    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)![1]!;
    const answers: Array<[string, Response]> = [
      ["static file", await fetch(`${c.app.url}${asset}`)],
      ["REST", await fetch(`${c.app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${c.members.viewer.token}` } })],
      ["REST refusal", await fetch(`${c.app.url}/api/v1/projects`)],
      ["tRPC", await fetch(`${c.app.url}/api/trpc/me.get`, { headers: { cookie: ownerCookie } })],
      ["auth route", await fetch(`${c.app.url}/api/auth/csrf`)],
      ["404 page", await fetch(`${c.app.url}/no-such-page`)],
      ["download-link error", await fetch(`${c.app.url}/download/not.valid`)],
      ["refused method", await fetch(`${c.app.url}/download/not.valid`, { method: "POST" })],
    ];
    expect(answers.map(([what, r]) => [what, r.status])).toEqual([
      ["static file", 200],
      ["REST", 200],
      ["REST refusal", 401],
      ["tRPC", 200],
      ["auth route", 200],
      ["404 page", 404],
      ["download-link error", 403],
      ["refused method", 405],
    ]);
    for (const [what, response] of answers) expectHardened(response, what);
    // The 404 page is rendered per request too: its scripts have their nonce.
    const notFound = answers[5]![1];
    const notFoundNonce = /'nonce-([^']+)'/.exec(notFound.headers.get("content-security-policy")!)![1]!;
    for (const tag of (await notFound.text()).match(/<script\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${notFoundNonce}"`);
  });

  it("include HSTS only when the public URL is https", async () => {
    expect((await fetch(`${c.app.url}/signin`)).headers.get("strict-transport-security")).toBeNull();
    const page = await fetch(`${httpsConsoleUrl}/signin`);
    expectHardened(page, "https console");
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect((await fetch(`${httpsConsoleUrl}/download/not.valid`)).headers.get("strict-transport-security")).toBe("max-age=31536000");
  });
});

describe("the download-link error page", () => {
  it("shows a fixed sentence for a storage error whose text is markup, and logs the storage's text", async () => {
    const created = await c.rest(c.members.operator, "POST", `/backups/${ids.backup}/download-links`, { artifact: "manifest", expiresIn: 900 });
    const { url } = created.body as { url: string };
    expect(url.startsWith(`${c.app.url}/download/`), JSON.stringify(created.body)).toBe(true);

    const page = await fetch(url, { headers: { accept: "text/html" } });
    const html = await page.text();
    expect(page.status).toBe(502);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(html).toContain("The storage could not return the file. The console&#39;s log has the details.");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("does not exist");

    const json = await fetch(url, { headers: { accept: "application/json" } });
    expect(await json.json()).toEqual({ error: { code: "bad_gateway", message: "The storage could not return the file. The console's log has the details." } });
    await c.app.waitForLog(`Object ${HOSTILE_KEY} does not exist in ${storageDir}`);
  });
});

describe("request bodies", () => {
  const json = { "content-type": "application/json" };

  it("over 1 MB by Content-Length get 413 before a byte of the body is sent", async () => {
    for (const route of ["/api/v1/projects", "/api/trpc/projects.create", "/api/auth/callback/credentials"]) {
      const answer = await postDeclaringLength(`${c.app.url}${route}`, { ...json, authorization: `Bearer ${c.members.operator.token}` }, 5 * 1024 * 1024);
      expect(answer.status, route).toBe(413);
      expect(JSON.parse(answer.body), route).toEqual({ error: { code: "payload_too_large", message: "The request body is larger than 1 MB" } });
    }
  });

  it("sent chunked are cut off with 413 once they pass 1 MB", async () => {
    const answer = await postChunked(`${c.app.url}/api/v1/projects`, { ...json, authorization: `Bearer ${c.members.operator.token}` }, { prefix: '{"name":"', total: 4 * 1024 * 1024, suffix: '"}' });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "payload_too_large" } });
    expect(answer.bytesSent).toBeLessThan(3 * 1024 * 1024);
  });

  it("up to 1 MB, chunked or not, reach the API whole", async () => {
    const description = "d".repeat(900 * 1024);
    const chunked = await postChunked(`${c.app.url}/api/v1/projects`, { ...json, authorization: `Bearer ${c.members.operator.token}` }, { prefix: '{"name":"Chunked","description":"', total: 0, suffix: `${description}"}` });
    // Read to the end and judged by the API (a description that long is refused by name), not cut off.
    expect(chunked.status).toBe(400);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: "bad_request", fields: { description: expect.any(String) } } });
    const small = await c.rest(c.members.operator, "POST", "/projects", { name: "Small body" });
    expect(small.status).toBe(200);
  });
});

describe("cookie-authenticated mutations", () => {
  it("are refused (415) without Content-Type: application/json, as a sibling site would send them", async () => {
    const test = `${c.app.url}/api/v1/storage-locations/${ids.storage}/test`;
    const bodyless = await fetch(test, { method: "POST", headers: { cookie: ownerCookie } });
    expect(bodyless.status).toBe(415);
    expect(await bodyless.json()).toMatchObject({ error: { code: "unsupported_media_type", message: expect.stringContaining("Content-Type: application/json") } });
    const form = await fetch(`${c.app.url}/api/v1/projects`, { method: "POST", headers: { cookie: ownerCookie, "content-type": "text/plain" }, body: JSON.stringify({ name: "Forged" }) });
    expect(form.status).toBe(415);
    const trpcMultipart = new FormData();
    trpcMultipart.set("id", ids.storage);
    for (const body of [trpcMultipart, JSON.stringify({ json: { id: ids.storage } })]) {
      const answer = await fetch(`${c.app.url}/api/trpc/storageLocations.test`, { method: "POST", headers: { cookie: ownerCookie }, body });
      expect(answer.status, typeof body).toBe(415);
    }
    const projects = await c.rest(c.members.owner, "GET", "/projects");
    expect(JSON.stringify(projects.body)).not.toContain("Forged");
  });

  it("work with Content-Type: application/json; bearer tokens keep the body-less POST", async () => {
    const viaCookie = await fetch(`${c.app.url}/api/v1/storage-locations/${ids.storage}/test`, { method: "POST", headers: { cookie: ownerCookie, "content-type": "application/json" }, body: "{}" });
    expect(viaCookie.status).toBe(200);
    expect(await viaCookie.json()).toMatchObject({ ok: true });
    const viaTrpc = await fetch(`${c.app.url}/api/trpc/storageLocations.test`, { method: "POST", headers: { cookie: ownerCookie, "content-type": "application/json" }, body: JSON.stringify({ json: { id: ids.storage } }) });
    expect(viaTrpc.status).toBe(200);
    const viaToken = await fetch(`${c.app.url}/api/v1/storage-locations/${ids.storage}/test`, { method: "POST", headers: { authorization: `Bearer ${c.members.operator.token}` } });
    expect(viaToken.status).toBe(200);
  });
});
