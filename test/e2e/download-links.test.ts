import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import type { Principal } from "@/server/auth/principal";
import { organizations } from "@/server/db/schema";
import { createApiToken } from "@/server/services/api-tokens";
import { createDownloadLink } from "@/server/services/download-links";
import { createStorageLocation } from "@/server/services/storage-locations";
import { createBackupSetup, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { inspectZip } from "../helpers/odoo-zip";
import { createOdooClient, createOdooEnvironment, type OdooClient } from "../helpers/restore-env";
import { rest } from "../helpers/rest";
import { startLocalStorage } from "../helpers/storage-servers/local";
import { startFtpStorage } from "../helpers/storage-servers/ftp";
import { startS3Storage } from "../helpers/storage-servers/s3";
import { startSftpStorage } from "../helpers/storage-servers/sftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/** Every provider: a backup stored there, and its three links fetched with curl. */
const PROVIDERS: Array<[string, () => Promise<StorageTarget>]> = [
  ["local", startLocalStorage],
  ["s3", startS3Storage],
  ["sftp", startSftpStorage],
  ["ftp", startFtpStorage],
];

let t: TestDatabase;
let app: ConsoleProcess;
let principals: Record<"owner" | "admin" | "operator" | "viewer", Principal>;
let token: string;
let client: OdooClient;
let environmentId: string;
let orgId: string;
let defaultStorageId: string;
const plugins = builtinPluginHost();
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-downloads-"));

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** curl as an operator would run it; returns the HTTP status. */
function curl(url: string, file: string, extra: string[] = []): number {
  const out = execFileSync("curl", ["-sS", "-o", file, "-w", "%{http_code}", ...extra, url], { encoding: "utf8" });
  return Number(out.trim());
}

/** The REST API of the console under test, over HTTP: its links carry its own address. */
async function consoleRest(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${app.url}/api/v1${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A link made by the service in this process points at this process's public URL; the console under test serves it. */
function onConsole(url: string): string {
  return `${app.url}${new URL(url).pathname}`;
}

async function backupTo(storageLocationId: string) {
  const created = await rest("POST", `/environments/${environmentId}/backups`, { token, body: { name: "for download", storageLocationId } });
  expect(created.status).toBe(202);
  const done = await waitForBackup(t.db, principals.owner, (created.body as { id: string }).id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

beforeAll(async () => {
  t = await createTestDatabase();
  const org = await createOrgWithMembers(t.db, "Download Agency");
  principals = org.principals;
  orgId = org.org.id;
  token = (await createApiToken(t.db, principals.owner, { name: "downloads" })).token;
  const setup = await createBackupSetup(t.db, plugins, principals.owner);
  // These links serve stored files as they are (length, ranges, presigned by S3): full filestore archives. A
  // filestore kept as shared objects downloads reassembled by the console (filestore-objects-flow.test.ts).
  await putOrgPolicy(t.db, principals.owner, { ...(await orgDefaultPolicy(t.db, orgId)), filestoreLayout: "archive" });
  defaultStorageId = setup.storage.id;
  client = await createOdooClient();
  environmentId = (await createOdooEnvironment(t.db, plugins, principals.owner, setup, client)).id;
  app = await startTestConsole(t, "dl");
  pointProcessAtDatabase(t);
});

afterAll(async () => {
  await app?.stop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe.each(PROVIDERS)("download links for a backup on %s storage", (name, start) => {
  let target: StorageTarget | undefined;
  let backup: Awaited<ReturnType<typeof backupTo>>;

  beforeAll(async () => {
    target = await start();
    const location = await createStorageLocation(t.db, plugins, principals.owner, { name: `${name} storage`, provider: target.provider, config: target.config, isDefault: false });
    backup = await backupTo(location.id);
  }, 180_000);

  afterAll(async () => target?.stop());

  it("gives the three files, fetched with curl, with the manifest's checksums", async () => {
    const files: Record<string, string> = {};
    for (const artifact of ["database", "filestore", "manifest"] as const) {
      const created = await consoleRest("POST", `/backups/${backup.id}/download-links`, { artifact, expiresIn: 900 });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const link = created.body as { url: string; expiresAt: string; fileName: string };
      expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(800_000);
      files[artifact] = path.join(downloads, `${name}-${link.fileName}`);
      expect(curl(link.url, files[artifact]!)).toBe(200);
    }
    const manifest = JSON.parse(fs.readFileSync(files.manifest!, "utf8")) as { artifacts: Array<{ kind: string; sha256: string }> };
    for (const a of manifest.artifacts) expect(sha256(files[a.kind]!), a.kind).toBe(a.sha256);
    expect(sha256(files.manifest!)).toBe(backup.artifacts.find((a) => a.kind === "manifest")!.sha256);
  });

  it("builds the Odoo zip from the files stored there", async () => {
    const created = await consoleRest("POST", `/backups/${backup.id}/download-links`, { format: "odoo-zip", expiresIn: 900 });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const link = created.body as { url: string; signedBy: string };
    expect(link.signedBy).toBe("console");
    const file = path.join(downloads, `${name}-odoo.zip`);
    expect(curl(link.url, file)).toBe(200);
    const zip = inspectZip(file);
    expect(zip).toMatchObject({ isZip: true, bad: null });
    expect(zip.members.slice(0, 2).map((m) => m.name)).toEqual(["dump.sql", "manifest.json"]);
    expect(zip.members.filter((m) => m.name.startsWith("filestore/")).length).toBeGreaterThan(0);
  });

  it("stops a link from working once it has expired", async () => {
    const link = await createDownloadLink(t.db, plugins, principals.operator, { backupId: backup.id, artifact: "manifest" }, 2);
    const url = link.signedBy === "console" ? onConsole(link.url) : link.url;
    const file = path.join(downloads, `${name}-expiring`);
    expect(curl(url, file)).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    expect(curl(url, file)).toBe(link.signedBy === "console" ? 410 : 403);
    if (link.signedBy === "provider") expect(fs.readFileSync(file, "utf8")).toContain("Request has expired");
  });
});

describe("console-signed links", () => {
  let backupId: string;
  let filestoreSha: string;

  beforeAll(async () => {
    const done = await backupTo(defaultStorageId);
    backupId = done.id;
    filestoreSha = done.artifacts.find((a) => a.kind === "filestore")!.sha256;
  }, 180_000);

  it("streams with the product's file name and length, and resumes with curl -C -", async () => {
    const link = await createDownloadLink(t.db, plugins, principals.operator, { backupId, artifact: "filestore" }, 900);
    const url = onConsole(link.url);
    const headers = execFileSync("curl", ["-sS", "-D", "-", "-o", "/dev/null", url], { encoding: "utf8" });
    expect(headers).toMatch(new RegExp(`content-disposition: attachment; filename="backup-${backupId}-filestore.tar.gz"`, "i"));
    expect(headers).toMatch(new RegExp(`content-length: ${link.size}`, "i"));
    expect(headers).toMatch(/accept-ranges: bytes/i);
    expect(headers).not.toMatch(/x-safehold/i);
    const head = execFileSync("curl", ["-sS", "-I", url], { encoding: "utf8" });
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(new RegExp(`content-length: ${link.size}`, "i"));
    const file = path.join(downloads, "resumed.tar.gz");
    expect(curl(url, file, ["-r", "0-99999"])).toBe(206);
    expect(fs.statSync(file).size).toBe(100_000);
    expect(curl(url, file, ["-C", "-"])).toBe(206);
    expect(sha256(file)).toBe(filestoreSha);
  });

  it("answers 410 once expired, 403 when tampered with or revoked, 404 once the backup is deleted", async () => {
    const file = path.join(downloads, "refused");
    const short = await createDownloadLink(t.db, plugins, principals.operator, { backupId, artifact: "manifest" }, 2);
    expect(curl(onConsole(short.url), file)).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    expect(curl(onConsole(short.url), file)).toBe(410);
    expect(fs.readFileSync(file, "utf8")).toContain("has expired");

    const link = await createDownloadLink(t.db, plugins, principals.operator, { backupId, artifact: "manifest" }, 900);
    const url = onConsole(link.url);
    const [payload, signature] = url.split("/download/")[1]!.split(".");
    const forged = Buffer.from(Buffer.from(payload!, "base64url").toString().replace(/"e":\d+/, '"e":9999999999')).toString("base64url");
    expect(curl(`${app.url}/download/${forged}.${signature}`, file)).toBe(403);
    expect(curl(`${url}x`, file)).toBe(403);

    expect((await rest("POST", `/download-links/${link.id}/revoke`, { token })).status).toBe(204);
    expect(curl(url, file)).toBe(403);
    expect(fs.readFileSync(file, "utf8")).toContain("revoked");

    const kept = await createDownloadLink(t.db, plugins, principals.operator, { backupId, artifact: "database" }, 900);
    expect((await rest("DELETE", `/backups/${backupId}`, { token })).status).toBe(204);
    expect(curl(onConsole(kept.url), file, ["-H", "accept: application/json"])).toBe(404);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ error: { code: "not_found" } });
  });

  it("lets viewers create links only when the organization allows it, and never for an unfinished backup", async () => {
    const done = await backupTo(defaultStorageId);
    await expect(createDownloadLink(t.db, plugins, principals.viewer, { backupId: done.id, artifact: "manifest" }, 900)).rejects.toThrow("does not let viewers download");
    await t.db.update(organizations).set({ viewersCanDownload: true }).where(eq(organizations.id, orgId));
    expect((await createDownloadLink(t.db, plugins, principals.viewer, { backupId: done.id, artifact: "manifest" }, 900)).url).toContain("/download/");
    const pending = await rest("POST", `/environments/${environmentId}/backups`, { token, body: {} });
    const refused = await rest("POST", `/backups/${(pending.body as { id: string }).id}/download-links`, { token, body: { artifact: "database", expiresIn: 900 } });
    expect(refused.status).toBe(409);
    const badExpiry = await rest("POST", `/backups/${done.id}/download-links`, { token, body: { artifact: "database", expiresIn: 60 } });
    expect(badExpiry).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("15 minutes, 30 minutes, 1 hour, 2 hours or 24 hours") } } });
    await waitForBackup(t.db, principals.owner, (pending.body as { id: string }).id);
  });
});
