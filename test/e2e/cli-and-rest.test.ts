import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConsole, runCli, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
let app: ConsoleProcess;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-cli-"));
  app = await startConsole({ DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir });
});

afterAll(async () => {
  await app?.stop();
  await t.drop();
});

describe("CLI and REST against a running console (DATABASE_URL set)", () => {
  it("creates the first owner and a working token from the command line", async () => {
    const env = { DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir };
    const onArgv = await runCli(["user", "create", "--email", "owner@cli.test", "--password", "owner-password-1"], env);
    expect(onArgv.code).toBe(1);
    expect(onArgv.stderr).toContain("The password is not taken on the command line");
    const noPassword = await runCli(["user", "create", "--email", "owner@cli.test"], env, "");
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain("Give the password on standard input");

    const user = await runCli(["user", "create", "--email", "owner@cli.test", "--org", "CLI Agency"], env, "owner-password-1\n");
    expect(user).toMatchObject({ code: 0, stdout: 'Created owner@cli.test as owner of "CLI Agency"\n' });
    const viewer = await runCli(["user", "create", "--email", "viewer@cli.test", "--role", "viewer"], env, "viewer-password-1\n");
    expect(viewer.stdout).toContain('as viewer of "CLI Agency"');

    const bad = await runCli(["user", "create", "--email", "nope"], env, "x\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("Error: Enter a valid email address");
    const common = await runCli(["user", "create", "--email", "weak@cli.test"], env, "password123456\n");
    expect(common.code).toBe(1);
    expect(common.stderr).toContain("Choose a less common password");
    const long = await runCli(["user", "create", "--email", "long@cli.test"], env, `${"é".repeat(40)}\n`);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain("Use at most 72 bytes");

    const created = await runCli(["token", "create", "--email", "owner@cli.test", "--name", "deploy"], env);
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split("\n").pop()!;
    expect(token).toMatch(/^shk_[\w-]{32}$/);

    const withToken = await fetch(`${app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toEqual({ items: [], nextCursor: null });
    const without = await fetch(`${app.url}/api/v1/projects`);
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });

    const post = await fetch(`${app.url}/api/v1/projects`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "Via REST" }) });
    expect(post.status).toBe(200);
    const listed = await (await fetch(`${app.url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(listed).toMatchObject({ items: [{ name: "Via REST" }] });
  });

  it("serves the OpenAPI document with every v1 path", async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/backup-policy",
      "/backups",
      "/backups/counts",
      "/backups/{backupId}/download-links",
      "/backups/{backupId}/restores",
      "/backups/{backupId}/trust",
      "/backups/{id}",
      "/backups/{id}/release",
      "/destructions",
      "/destructions/{id}",
      "/environments/{id}/destroy",
      "/environments/{id}/purge",
      "/projects/{id}/offboard",
      "/projects/{id}/purge",
      "/dashboard",
      "/fleet/health",
      "/fleet/search",
      "/environments",
      "/environments/backup-policy/bulk-override",
      "/environments/{environmentId}/backups",
      "/environments/{environmentId}/imports",
      "/environments/{id}",
      "/environments/{id}/backup-policy",
      "/environments/{id}/effective-backup-policy",
      "/environments/{id}/retention-preview",
      "/environments/{environmentId}/drills",
      "/drills/{id}",
      "/backups/{backupId}/copies/{storageLocationId}/retry",
      "/download-links/{id}/revoke",
      "/erasure-subjects/{id}",
      "/notification-channels",
      "/notification-channels/failure-coverage",
      "/notification-channels/{id}",
      "/notification-channels/{id}/test",
      "/notification-deliveries",
      "/plugins",
      "/projects",
      "/projects/{id}",
      "/projects/{projectId}/erasure-subjects",
      "/restores",
      "/restores/{id}",
      "/restores/{id}/discard-previous-copy",
      "/servers",
      "/servers/health",
      "/servers/{serverId}/discover",
      "/storage-locations",
      "/storage-locations/{id}/test",
      "/storage-locations/{id}/catalog-import",
      "/self-backup",
      "/self-backup/runs",
      "/activity",
      "/activity/facets",
      "/api-tokens",
      "/api-tokens/{id}/revoke",
      "/environments/{id}/test",
      "/me",
      "/members",
      "/members/{userId}",
      "/organization",
      "/organization/keys",
      "/organization/keys/rotate",
      "/organization/keys/{id}/confirm-kit",
      "/organization/keys/{id}/recovery-kit",
      "/overview",
      "/workers",
      "/servers/{id}",
      "/servers/{id}/test",
      "/storage-locations/{id}",
    ].sort());
  });

  it("serves the logo, favicons and web manifest without signing in, and the pages link them", async () => {
    const expected: Array<[string, RegExp]> = [
      ["/favicon.svg", /^image\/svg\+xml/],
      ["/logo.svg", /^image\/svg\+xml/],
      ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)/],
      ["/apple-touch-icon.png", /^image\/png/],
      ["/manifest.webmanifest", /^application\/manifest\+json/],
    ];
    for (const [path, type] of expected) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(type);
    }
    const manifest = (await (await fetch(`${app.url}/manifest.webmanifest`)).json()) as { name: string; icons: Array<{ src: string; sizes: string; type: string }> };
    expect(manifest.name).toBe("Safehold");
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    for (const icon of manifest.icons) {
      const res = await fetch(`${app.url}${icon.src}`);
      expect(res.status, icon.src).toBe(200);
      expect(res.headers.get("content-type"), icon.src).toBe(icon.type);
    }
    const page = await (await fetch(`${app.url}/signin`)).text();
    expect(page).toMatch(/<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml"/);
    expect(page).toMatch(/<link rel="apple-touch-icon" href="\/apple-touch-icon.png"/);
    expect(page).toMatch(/<link rel="manifest" href="\/manifest.webmanifest"/);
  });

  it("applies migrations with `safehold migrate` against the same database", async () => {
    const migrate = await runCli(["migrate"], { DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir });
    expect(migrate).toMatchObject({ code: 0, stdout: "Database is up to date\n" });
  });
});
