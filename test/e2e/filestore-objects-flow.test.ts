import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backupArtifacts } from "@/server/db/schema";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackup } from "@/server/services/backup-lifecycle";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";
import { createRestore } from "@/server/services/restores";
import { createDownloadLink } from "@/server/services/download-links";
import { organizationIdentities } from "@/server/services/organization-keys";
import { createBackupSetup, listFiles, pointProcessAtDatabase, waitForBackup } from "../helpers/backup-env";
import { startTestConsole, type ConsoleProcess } from "../helpers/console-process";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { filestoreChecksums } from "../helpers/odoo-fixture";
import { extractAsOdoo } from "../helpers/odoo-zip";
import { createOdooClient, createOdooEnvironment, waitForRestore, type OdooClient } from "../helpers/restore-env";

/**
 * Incremental Odoo filestores through the console as `npm start` runs it (its own worker takes the backups and
 * restores): each file stored once as an object of the location, a second backup storing only what is new, a
 * restore reassembling the filestore byte for byte (and refusing, before touching the target, when an object is
 * missing or changed), downloads and Odoo zip exports carrying every file, and encrypted objects that one
 * organization's environments share and another organization cannot recognize.
 */
let t: TestDatabase;
let app: ConsoleProcess;
let owner: Principal;
let token: string;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let client: OdooClient;
let environmentId: string;
const clients: OdooClient[] = [];
const plugins = builtinPluginHost();
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-objects-flow-"));

const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");

/** The objects stored for an organization in a location, as `<2 hex>/<id>`. */
function objectsIn(storageDir: string, orgId: string): string[] {
  const dir = path.join(storageDir, "objects", orgId);
  return fs.existsSync(dir) ? listFiles(dir) : [];
}

/** Every file of a filestore, as the object its content's sha1 names. */
function plainObjectsOf(filestore: string): string[] {
  const ids = new Set(listFiles(filestore).map((f) => sha1(fs.readFileSync(path.join(filestore, f)))));
  return [...ids].map((id) => `${id.slice(0, 2)}/${id}`).sort();
}

/** Adds an attachment as Odoo stores it: `<2 hex>/<sha1>` of its content. */
function addAttachment(filestore: string, content: Buffer): string {
  const id = sha1(content);
  fs.mkdirSync(path.join(filestore, id.slice(0, 2)), { recursive: true });
  fs.writeFileSync(path.join(filestore, id.slice(0, 2), id), content);
  return `${id.slice(0, 2)}/${id}`;
}

async function backUp(who: Principal, envId: string, name: string) {
  const created = await createBackup(t.db, who, { environmentId: envId, name, notes: "", includeFilestore: true, retention: "monthly" });
  const done = await waitForBackup(t.db, who, created.id, 180_000);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

async function restoreOriginal(backupId: string) {
  const restore = await createRestore(t.db, plugins, owner, { backupId, target: "original", safetyBackup: false, includeFilestore: true, neutralize: false, confirm: "RESTORE" });
  return await waitForRestore(t.db, owner, restore.id);
}

async function api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}/api/v1${apiPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function curl(url: string, file: string): { exit: number | null; status: number; headers: string } {
  const headersFile = `${file}.headers`;
  const run = spawnSync("curl", ["-sS", "-D", headersFile, "-o", file, "-w", "%{http_code}", url], { encoding: "utf8" });
  return { exit: run.status, status: Number(run.stdout.trim()), headers: fs.existsSync(headersFile) ? fs.readFileSync(headersFile, "utf8") : "" };
}

let first: Awaited<ReturnType<typeof backUp>>;
let second: Awaited<ReturnType<typeof backUp>>;
let atSecond: Record<string, string>;
let added: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Objects Agency"));
  token = (await createApiToken(t.db, owner, { name: "objects" })).token;
  setup = await createBackupSetup(t.db, plugins, owner);
  client = await createOdooClient();
  clients.push(client);
  environmentId = (await createOdooEnvironment(t.db, plugins, owner, setup, client)).id;
  app = await startTestConsole(t, "objects");
  pointProcessAtDatabase(t);
}, 240_000);

afterAll(async () => {
  await app?.stop();
  for (const c of clients) await c.drop();
  await t?.drop();
  fs.rmSync(downloads, { recursive: true, force: true });
});

describe("an Odoo filestore kept as shared objects", () => {
  it("stores every file once, then only the 3 attachments added since", async () => {
    first = await backUp(owner, environmentId, "first");
    const stored = objectsIn(setup.storageDir, owner.orgId);
    expect(stored).toEqual(plainObjectsOf(client.filestore()));
    const [index] = await t.db.select().from(backupArtifacts).where(and(eq(backupArtifacts.backupId, first.id), eq(backupArtifacts.kind, "filestore")));
    expect(index).toMatchObject({ layout: "objects", key: expect.stringMatching(/\/backup-[0-9a-f-]+-filestore\.index\.jsonl\.gz$/) });
    // Files with the same content are one object.
    const files = listFiles(client.filestore()).length;
    const distinct = stored.length;
    expect(first.log.map((l) => l.message)).toContainEqual(expect.stringMatching(new RegExp(`^Filestore: ${files} files \\(.+\\); ${distinct} new \\(.+\\) stored, ${files - distinct} already stored$`)));
    expect(first.proof?.filestore).toMatchObject({ files });

    added = [randomBytes(2000), randomBytes(70_000), Buffer.from("a new invoice\n")].map((content) => addAttachment(client.filestore(), content));
    second = await backUp(owner, environmentId, "second");
    atSecond = filestoreChecksums(client.filestore());
    const now = objectsIn(setup.storageDir, owner.orgId);
    expect(now.filter((o) => !stored.includes(o)).sort()).toEqual([...added].sort());
    expect(second.log.map((l) => l.message)).toContainEqual(expect.stringMatching(new RegExp(`^Filestore: ${files + 3} files \\(.+\\); 3 new \\(.+\\) stored, ${files} already stored$`)));
  }, 400_000);

  it("restores the second backup byte for byte", async () => {
    // The target drifts after the backup: a file lost, one changed, one added.
    const [lost, changed] = Object.keys(atSecond);
    fs.rmSync(path.join(client.filestore(), lost!));
    fs.writeFileSync(path.join(client.filestore(), changed!), "overwritten");
    fs.writeFileSync(path.join(client.filestore(), "stray.txt"), "not in the backup");
    const restore = await restoreOriginal(second.id);
    expect(restore, restore.error ?? "").toMatchObject({ status: "completed" });
    expect(filestoreChecksums(client.filestore())).toEqual(atSecond);
  }, 300_000);

  it("refuses to restore when an object is missing or changed in storage, naming the file, before touching the target", async () => {
    const before = filestoreChecksums(client.filestore());
    const [missing, damaged] = added;
    const keyOf = (file: string) => path.join(setup.storageDir, "objects", owner.orgId, file);

    const kept = fs.readFileSync(keyOf(missing!));
    fs.rmSync(keyOf(missing!));
    const gone = await restoreOriginal(second.id);
    expect(gone).toMatchObject({ status: "failed" });
    expect(gone.error).toBe(`The filestore file ${missing} is missing from storage (object ${missing!.slice(3, 15)}…)`);
    expect(filestoreChecksums(client.filestore())).toEqual(before);
    fs.writeFileSync(keyOf(missing!), kept);

    const original = fs.readFileSync(keyOf(damaged!));
    const altered = Buffer.from(original);
    altered[100] = altered[100]! ^ 0xff;
    fs.writeFileSync(keyOf(damaged!), altered);
    const changed = await restoreOriginal(second.id);
    expect(changed).toMatchObject({ status: "failed" });
    expect(changed.error).toMatch(new RegExp(`^The filestore file ${damaged} is damaged: bytes 0–\\d+ \\(chunk 1 of 1\\) have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… recorded when the backup was taken$`));
    expect(filestoreChecksums(client.filestore())).toEqual(before);
    fs.writeFileSync(keyOf(damaged!), original);
  }, 300_000);

  it("downloads as one reassembled filestore.tar.gz, and exports to Odoo's zip, with every file", async () => {
    const created = await api("POST", `/backups/${second.id}/download-links`, { artifact: "filestore", expiresIn: 900 });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ fileName: `backup-${second.id}-filestore.tar.gz`, size: null, signedBy: "console" });
    const file = path.join(downloads, created.body.fileName as string);
    const got = curl(created.body.url as string, file);
    expect(got).toMatchObject({ exit: 0, status: 200 });
    expect(got.headers).not.toMatch(/content-range/i);
    const into = fs.mkdtempSync(path.join(downloads, "tar-"));
    execFileSync("tar", ["-xzf", file, "-C", into]);
    expect(filestoreChecksums(into)).toEqual(atSecond);

    const exported = await api("POST", `/backups/${second.id}/download-links`, { format: "odoo-zip", expiresIn: 900 });
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    const zip = path.join(downloads, exported.body.fileName as string);
    expect(curl(exported.body.url as string, zip)).toMatchObject({ exit: 0, status: 200 });
    const odoo = fs.mkdtempSync(path.join(downloads, "zip-"));
    extractAsOdoo(zip, odoo);
    expect(filestoreChecksums(path.join(odoo, "filestore"))).toEqual(atSecond);
  }, 120_000);

  it("encrypts objects: none holds plain content, two environments of one organization share them, another organization's differ", async () => {
    const agency = await createOrgWithMembers(t.db, "Sealed Agency");
    const sealed = agency.principals.owner;
    const sealedSetup = await createBackupSetup(t.db, plugins, sealed, { encrypt: true });
    await putOrgPolicy(t.db, sealed, { ...(await orgDefaultPolicy(t.db, sealed.orgId)), encrypt: true });
    const one = await createOdooClient();
    const two = await createOdooClient();
    clients.push(one, two);
    const oneBackup = await backUp(sealed, (await createOdooEnvironment(t.db, plugins, sealed, sealedSetup, one, "one")).id, "one");
    const afterOne = objectsIn(sealedSetup.storageDir, sealed.orgId);
    // One object per distinct content, named by a keyed id: not the sha1 Odoo names the file by.
    expect(afterOne).toHaveLength(plainObjectsOf(one.filestore()).length);
    expect(afterOne.every((o) => /^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(o))).toBe(true);
    const sample = fs.readFileSync(path.join(one.filestore(), listFiles(one.filestore()).find((f) => fs.statSync(path.join(one.filestore(), f)).size > 1000)!));
    for (const object of afterOne) {
      const bytes = fs.readFileSync(path.join(sealedSetup.storageDir, "objects", sealed.orgId, object));
      expect(bytes.subarray(0, 18).toString()).toBe("safehold-object/1\n");
      expect(bytes.includes(sample.subarray(0, 64))).toBe(false);
    }

    // Downloaded encrypted, the reassembled archive is an age file the organization key's recovery kit opens; decrypted, a tar.gz.
    const kit = path.join(downloads, "kit.txt");
    fs.writeFileSync(kit, (await organizationIdentities(t.db, sealed.orgId)).join("\n"));
    for (const encrypted of [true, false]) {
      const link = await createDownloadLink(t.db, plugins, sealed, { backupId: oneBackup.id, artifact: "filestore", encrypted }, 900);
      expect(link).toMatchObject({ fileName: `backup-${oneBackup.id}-filestore.tar.gz${encrypted ? ".age" : ""}`, encrypted, size: null });
      const file = path.join(downloads, link.fileName);
      expect(curl(`${app.url}${new URL(link.url).pathname}`, file)).toMatchObject({ exit: 0, status: 200 });
      const into = fs.mkdtempSync(path.join(downloads, "sealed-"));
      if (encrypted) execFileSync("sh", ["-c", `age -d -i "$0" "$1" | tar -xz -C "$2"`, kit, file, into]);
      else execFileSync("tar", ["-xzf", file, "-C", into]);
      expect(filestoreChecksums(into)).toEqual(filestoreChecksums(one.filestore()));
    }

    // The same files in another environment of the organization: nothing new is stored.
    await backUp(sealed, (await createOdooEnvironment(t.db, plugins, sealed, { ...sealedSetup, project: sealedSetup.project }, two, "two")).id, "two");
    expect(objectsIn(sealedSetup.storageDir, sealed.orgId)).toEqual(afterOne);

    // Another organization, encrypted too, holding the same files: other ids.
    const other = (await createOrgWithMembers(t.db, "Other Sealed Agency")).principals.owner;
    const otherSetup = await createBackupSetup(t.db, plugins, other, { encrypt: true });
    const three = await createOdooClient();
    clients.push(three);
    await backUp(other, (await createOdooEnvironment(t.db, plugins, other, otherSetup, three)).id, "three");
    const theirs = objectsIn(otherSetup.storageDir, other.orgId);
    expect(theirs).toHaveLength(afterOne.length);
    expect(theirs.filter((o) => afterOne.includes(o))).toEqual([]);
  }, 600_000);
});
