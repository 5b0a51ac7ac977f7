import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "@/server/api/rest";
import { resetEnvCache } from "@/server/env";
import { createApiToken, revokeApiToken } from "@/server/services/api-tokens";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrgWithMembers } from "../helpers/fixtures";
import { makePluginsDir } from "../helpers/plugin-dirs";
import { rest } from "../helpers/rest";

let t: TestDatabase;
let tokens: { owner: string; viewer: string; operator: string; revoked: string };

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  process.env.SAFEHOLD_PLUGINS_DIR = makePluginsDir({ fixtures: ["storage-vault"] });
  resetEnvCache();
  const { principals } = await createOrgWithMembers(t.db, "Rest Org");
  const revoked = await createApiToken(t.db, principals.owner, { name: "old" });
  await revokeApiToken(t.db, principals.owner, { id: revoked.item.id });
  tokens = {
    owner: (await createApiToken(t.db, principals.owner, { name: "ci" })).token,
    viewer: (await createApiToken(t.db, principals.viewer, { name: "dashboards" })).token,
    operator: (await createApiToken(t.db, principals.operator, { name: "ops" })).token,
    revoked: revoked.token,
  };
});

afterAll(async () => {
  await t.drop();
});

describe("REST API v1", () => {
  it("requires a valid, unrevoked bearer token", async () => {
    for (const token of [undefined, "nope", "shk_not-a-real-token", tokens.revoked]) {
      const res = await rest("GET", "/projects", { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("API token") } });
    }
    expect((await rest("GET", "/projects", { token: tokens.viewer })).status).toBe(200);
  });

  it("creates and lists projects with keyset pages of { items, nextCursor }", async () => {
    for (const name of ["Client C", "Client A", "Client B"]) {
      const res = await rest("POST", "/projects", { token: tokens.operator, body: { name } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: expect.any(String), name, description: "", environmentCount: 0, createdAt: expect.any(String) });
    }
    const first = await rest("GET", "/projects?limit=2", { token: tokens.viewer });
    expect(first.body).toMatchObject({ items: [{ name: "Client A" }, { name: "Client B" }], nextCursor: expect.any(String) });
    const cursor = (first.body as { nextCursor: string }).nextCursor;
    const second = await rest("GET", `/projects?limit=2&cursor=${encodeURIComponent(cursor)}`, { token: tokens.viewer });
    expect(second.body).toMatchObject({ items: [{ name: "Client C" }], nextCursor: null });
    expect((await rest("GET", "/projects?cursor=garbage", { token: tokens.viewer })).body).toMatchObject({ error: { code: "unprocessable_content", fields: { cursor: "Invalid cursor" } } });
  });

  it("answers errors in one shape, with the right status", async () => {
    expect(await rest("POST", "/projects", { token: tokens.viewer, body: { name: "Nope" } })).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: "Your role (viewer) cannot do this: it needs operator or higher" } },
    });
    expect(await rest("POST", "/projects", { token: tokens.operator, body: { name: "Client A" } })).toMatchObject({
      status: 409,
      body: { error: { code: "conflict", message: 'A project named "Client A" already exists' } },
    });
    expect(await rest("POST", "/projects", { token: tokens.operator, body: { name: "" } })).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request", fields: { name: "Name the project (usually the client)" } } },
    });
    expect(await rest("GET", "/environments/6b3f2a10-0000-4000-8000-000000000000", { token: tokens.viewer })).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: "Environment not found" } },
    });
    expect(await rest("POST", "/servers", { token: tokens.owner, body: { name: "x", kind: "teleport", config: {} } })).toMatchObject({
      status: 422,
      body: { error: { code: "unprocessable_content", fields: { kind: 'Unknown server kind "teleport"' } } },
    });
    const malformed = await rest("POST", "/projects", { token: tokens.operator, headers: { "content-type": "application/json" }, body: undefined });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(malformed.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("lists the installed plugins with their configuration schemas", async () => {
    const res = await rest("GET", "/plugins", { token: tokens.viewer });
    expect(res.status).toBe(200);
    const items = (res.body as { items: Array<{ id: string; status: string; contributions: Array<{ kind: string; id: string; configSchema: { properties: object } }> }> }).items;
    expect(items.map((p) => p.id)).toEqual(expect.arrayContaining(["server-local", "source-postgres", "storage-local", "storage-vault"]));
    const postgres = items.find((p) => p.id === "source-postgres")!.contributions[0]!;
    expect(postgres).toMatchObject({ kind: "source", id: "postgres", configSchema: { properties: { password: { type: "string", secret: true } } } });
  });

  it("keeps storage secrets encrypted at rest and masked in every answer", async () => {
    const secret = "open-sesame";
    const created = await rest("POST", "/storage-locations", {
      token: tokens.owner,
      body: { name: "Vault", provider: "vault", config: { endpoint: "https://vault.example", token: secret } },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ provider: "vault", config: { endpoint: "https://vault.example", token: "********" }, isDefault: true });
    expect(created.text).not.toContain(secret);
    const id = (created.body as { id: string }).id;

    const [row] = await t.sql`select config::text as config, secrets from storage_locations where id = ${id}`;
    expect(row!.config).not.toContain(secret);
    expect(row!.secrets).toMatch(/^v2\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.secrets).not.toContain(secret);
    expect(Buffer.from(String(row!.secrets).split(".")[4]!, "base64url").toString("latin1")).not.toContain(secret);

    const listed = await rest("GET", "/storage-locations", { token: tokens.viewer });
    expect(listed.text).not.toContain(secret);
    expect(listed.text).toContain('"token":"********"');

    // The stored secret is used server-side: the test connection succeeds without the client sending it.
    expect(await rest("POST", `/storage-locations/${id}/test`, { token: tokens.operator })).toMatchObject({ status: 200, body: { ok: true } });
  });

  it("keeps a source password encrypted and masked", async () => {
    const server = await rest("POST", "/servers", { token: tokens.owner, body: { name: "This host", kind: "local", config: {} } });
    const project = await rest("POST", "/projects", { token: tokens.operator, body: { name: "Secret Client" } });
    const password = "pg-pass-9f8e7d";
    const env = await rest("POST", "/environments", {
      token: tokens.operator,
      body: {
        projectId: (project.body as { id: string }).id,
        serverId: (server.body as { id: string }).id,
        name: "production",
        stage: "production",
        source: "postgres",
        sourceConfig: { host: "127.0.0.1", port: 5432, user: "odoo", password, database: "shop" },
      },
    });
    expect(env.status).toBe(200);
    expect(env.body).toMatchObject({ stage: "production", sourceConfig: { user: "odoo", password: "********" } });
    expect(env.text).not.toContain(password);
    const id = (env.body as { id: string }).id;
    const fetched = await rest("GET", `/environments/${id}`, { token: tokens.viewer });
    expect(fetched.body).toMatchObject({ sourceConfig: { password: "********" } });
    const listed = await rest("GET", `/environments?projectId=${(project.body as { id: string }).id}`, { token: tokens.viewer });
    expect(listed.body).toMatchObject({ items: [{ id, sourceConfig: { password: "********" } }], nextCursor: null });
    expect((await rest("GET", `/projects/${(project.body as { id: string }).id}`, { token: tokens.viewer })).body).toMatchObject({ environmentCount: 1 });
    expect((await rest("GET", "/servers", { token: tokens.viewer })).body).toMatchObject({ items: [{ name: "This host", environmentCount: 1 }] });
    const [row] = await t.sql`select source_config::text as config, source_secrets from environments where id = ${id}`;
    expect(row!.config).not.toContain(password);
    expect(row!.source_secrets).not.toContain(password);
  });

  it("publishes an OpenAPI document with every v1 path", () => {
    const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.sort()).toEqual(
      [
        "GET /plugins",
        "GET /projects",
        "POST /projects",
        "GET /projects/{id}",
        "GET /servers",
        "GET /servers/health",
        "POST /servers",
        "GET /storage-locations",
        "POST /storage-locations",
        "POST /storage-locations/{id}/test",
        "POST /storage-locations/{id}/catalog-import",
        "POST /backups/{backupId}/trust",
        "GET /self-backup",
        "PUT /self-backup",
        "POST /self-backup/runs",
        "GET /organization/keys",
        "POST /organization/keys",
        "POST /organization/keys/rotate",
        "POST /organization/keys/{id}/recovery-kit",
        "POST /organization/keys/{id}/confirm-kit",
        "POST /backups/{backupId}/copies/{storageLocationId}/retry",
        "POST /environments/{environmentId}/drills",
        "GET /environments/{environmentId}/drills",
        "GET /drills/{id}",
        "GET /notification-channels",
        "GET /notification-channels/failure-coverage",
        "POST /notification-channels",
        "PUT /notification-channels/{id}",
        "DELETE /notification-channels/{id}",
        "POST /notification-channels/{id}/test",
        "GET /notification-deliveries",
        "GET /environments",
        "POST /environments",
        "GET /environments/{id}",
        "GET /backups",
        "GET /backups/counts",
        "GET /dashboard",
        "GET /fleet/health",
        "GET /fleet/search",
        "GET /backups/{id}",
        "POST /environments/{environmentId}/backups",
        "POST /environments/{environmentId}/imports",
        "DELETE /backups/{id}",
        "GET /environments/{id}/retention-preview",
        "POST /backups/{backupId}/restores",
        "GET /restores",
        "GET /restores/{id}",
        "POST /restores/{id}/discard-previous-copy",
        "GET /projects/{projectId}/erasure-subjects",
        "POST /projects/{projectId}/erasure-subjects",
        "DELETE /erasure-subjects/{id}",
        "POST /servers/{serverId}/discover",
        "POST /backups/{backupId}/download-links",
        "POST /download-links/{id}/revoke",
        "GET /backup-policy",
        "PUT /backup-policy",
        "GET /environments/{id}/backup-policy",
        "PUT /environments/{id}/backup-policy",
        "DELETE /environments/{id}/backup-policy",
        "GET /environments/{id}/effective-backup-policy",
        "POST /environments/backup-policy/bulk-override",
        "GET /me",
        "GET /organization",
        "GET /members",
        "POST /members",
        "PUT /members/{userId}",
        "DELETE /members/{userId}",
        "GET /api-tokens",
        "POST /api-tokens/{id}/revoke",
        "PUT /projects/{id}",
        "DELETE /projects/{id}",
        "GET /servers/{id}",
        "PUT /servers/{id}",
        "DELETE /servers/{id}",
        "POST /servers/{id}/test",
        "PUT /environments/{id}",
        "DELETE /environments/{id}",
        "POST /environments/{id}/test",
        "GET /storage-locations/{id}",
        "PUT /storage-locations/{id}",
        "DELETE /storage-locations/{id}",
        "GET /backups/{backupId}/download-links",
        "GET /activity",
        "GET /activity/facets",
        "GET /overview",
        "GET /workers",
        "PUT /backups/{id}",
        "POST /backups/{id}/release",
        "POST /environments/{id}/destroy",
        "POST /projects/{id}/offboard",
        "GET /destructions",
        "GET /destructions/{id}",
        "POST /environments/{id}/purge",
        "POST /projects/{id}/purge",
      ].sort(),
    );
  });
});

describe("secrets at rest", () => {
  it("generates the key file once with mode 0600 when no key is configured", async () => {
    const { deriveKey, resetKeyCache } = await import("@/server/crypto/secret-key");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-key-"));
    const saved = { key: process.env.SAFEHOLD_SECRET_KEY, dir: process.env.SAFEHOLD_DATA_DIR };
    delete process.env.SAFEHOLD_SECRET_KEY;
    process.env.SAFEHOLD_DATA_DIR = dir;
    resetEnvCache();
    resetKeyCache();
    try {
      const first = deriveKey("secrets-at-rest");
      resetKeyCache();
      expect(deriveKey("secrets-at-rest").equals(first)).toBe(true);
      expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
      expect(deriveKey("auth").equals(first)).toBe(false);
    } finally {
      process.env.SAFEHOLD_SECRET_KEY = saved.key;
      process.env.SAFEHOLD_DATA_DIR = saved.dir;
      resetEnvCache();
      resetKeyCache();
    }
  });
});
