import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { verifyManifestSignature } from "@/server/backups/manifest-signature";
import { backupArtifacts, organizationKeys } from "@/server/db/schema";
import { serveDownload } from "@/server/downloads/serve-download";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { createDownloadLink } from "@/server/services/download-links";
import { createStorageLocation } from "@/server/services/storage-locations";
import { listOrganizationKeys, rotateOrganizationKey } from "@/server/services/organization-keys";
import { createRestore } from "@/server/services/restores";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";
import { createOdooClient, createOdooEnvironment, odooState, waitForRestore, type OdooClient } from "../helpers/restore-env";
import { startS3Storage } from "../helpers/storage-servers/s3";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let token: string;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let pgClient: Awaited<ReturnType<typeof createClientDatabase>>;
let odoo: OdooClient;
let odooEnvironment: Awaited<ReturnType<typeof createOdooEnvironment>>;
let odooOriginal: Awaited<ReturnType<typeof odooState>>;
let firstOdooBackup: string;
const plugins = builtinPluginHost();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-encryption-"));

type Artifact = { kind: string; key: string; size: number; sha256: string; fileName: string };

async function backupNow(environmentId: string) {
  const created = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "monthly" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return (await getBackup(t.db, owner, created.id)) as unknown as { id: string; artifacts: Artifact[] };
}

async function restoreAsNew(backupId: string, name: string) {
  const restore = await createRestore(t.db, plugins, owner, {
    backupId,
    target: "new_environment",
    newEnvironment: { projectId: setup.project.id, name, stage: "staging", serverId: setup.server.id, sourceConfig: { database: `${odoo.database}_${name}` } },
    safetyBackup: false,
    includeFilestore: true,
    neutralize: false,
    confirm: "RESTORE",
  });
  return { done: await waitForRestore(t.db, owner, restore.id), database: `${odoo.database}_${name}` };
}

/** A kit fetched through the REST API as the owner, written where `age -i` can read it. */
async function kitFile(keyId: string): Promise<string> {
  const kit = await rest("POST", `/organization/keys/${keyId}/recovery-kit`, { token, body: {} });
  expect(kit.status, kit.text).toBe(200);
  const { fileName, text } = kit.body as { fileName: string; text: string };
  const file = path.join(work, fileName);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

async function currentKey() {
  return (await listOrganizationKeys(t.db, owner)).find((k) => k.retiredAt === null)!;
}

async function download(backupId: string, artifact: "database" | "filestore", encrypted?: boolean, range?: string) {
  const link = await createDownloadLink(t.db, plugins, owner, { backupId, artifact, encrypted }, 900);
  const tokenPart = link.url.slice(link.url.indexOf("/download/") + "/download/".length);
  const response = await serveDownload(t.db, plugins, new Request(link.url, { headers: range ? { range } : {} }), tokenPart);
  return { link, response, bytes: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Sealed Agency"));
  token = (await createApiToken(t.db, owner, { name: "test" })).token;
  setup = await createBackupSetup(t.db, plugins, owner, { encrypt: true });
  pgClient = await createClientDatabase();
  const sql = postgres({ host: pgClient.host, port: pgClient.port, user: pgClient.user, password: pgClient.password, database: pgClient.database, max: 1, onnotice: () => {} });
  await sql.unsafe("create table invoices (id int primary key, client text); insert into invoices select g, 'client ' || g from generate_series(1, 20000) g");
  await sql.end();
  odoo = await createOdooClient();
  odooEnvironment = await createOdooEnvironment(t.db, plugins, owner, setup, odoo);
  odooOriginal = await odooState(odoo);
  worker = await startTestWorker(t);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  for (const name of ["copy", "after_rotation", "without_key"]) await admin.unsafe(`drop database if exists ${odoo?.database}_${name} with (force)`);
  await admin.end();
  await odoo?.drop();
  await pgClient?.drop();
  await t?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("backups encrypted to the organization key", () => {
  it("stores age(gzip(dump)) as ….sql.gz.age, which Debian's age decrypts with the recovery kit from the API", async () => {
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, pgClient, "invoicing");
    const backup = await backupNow(environment.id);
    const key = await currentKey();
    const database = backup.artifacts.find((a) => a.kind === "database")!;
    expect(database.fileName).toBe(`backup-${backup.id}-database.sql.gz.age`);
    expect(database.key.endsWith(".sql.gz.age")).toBe(true);

    // The manifest stays plaintext and signed; the entry names the encryption and describes the stored bytes.
    const stored = fs.readFileSync(path.join(setup.storageDir, database.key));
    expect(stored.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    const manifestText = fs.readFileSync(path.join(setup.storageDir, backup.artifacts.find((a) => a.kind === "manifest")!.key), "utf8");
    expect(verifyManifestSignature(manifestText)).not.toBeNull();
    expect(JSON.parse(manifestText).artifacts[0]).toMatchObject({
      kind: "database",
      fileName: `backup-${backup.id}-database.sql.gz.age`,
      encryption: { format: "age", recipient: key.recipient },
      size: stored.length,
      sha256: createHash("sha256").update(stored).digest("hex"),
    });
    const [row] = await t.db.select().from(backupArtifacts).where(and(eq(backupArtifacts.backupId, backup.id), eq(backupArtifacts.kind, "database")));
    expect(row!.encryptionKeyId).toBe(key.id);
    expect(key.encryptedFiles).toBe(1);

    // Acceptance: Safehold → `age -d`, with the kit file as the owner downloads it.
    const kit = await kitFile(key.id);
    expect(path.basename(kit)).toMatch(/^safehold-recovery-kit-sealed-agency-[a-z0-9]{8}\.txt$/);
    expect(fs.readFileSync(kit, "utf8")).toMatch(/^# created: .+\n# public key: age1[a-z0-9]+\nAGE-SECRET-KEY-1[A-Z0-9]+\n$/m);
    const file = path.join(setup.storageDir, database.key);
    const dump = execFileSync("bash", ["-c", 'age -d -i "$1" "$2" | gunzip', "decrypt", kit, file], { maxBuffer: 64 << 20 }).toString("utf8");
    expect(dump).toContain("COPY public.invoices (id, client) FROM stdin;");
    expect(dump).toContain("20000\tclient 20000");

    // A wrong key: age itself refuses the file.
    const other = path.join(work, "other-key.txt");
    execFileSync("age-keygen", ["-o", other], { stdio: "ignore" });
    expect(() => execFileSync("age", ["-d", "-i", other, file], { stdio: "pipe" })).toThrow(/no identity matched/);

    // Console links: the decrypted file by default (its length known up front), or the stored age file.
    const plain = await download(backup.id, "database");
    expect(plain.link).toMatchObject({ fileName: `backup-${backup.id}-database.sql.gz`, encrypted: false, signedBy: "console" });
    expect(plain.response.headers.get("content-disposition")).toContain(`backup-${backup.id}-database.sql.gz"`);
    expect(plain.bytes.length).toBe(plain.link.size);
    expect(gunzipSync(plain.bytes).toString("utf8")).toBe(dump);
    const encrypted = await download(backup.id, "database", true);
    expect(encrypted.link).toMatchObject({ fileName: `backup-${backup.id}-database.sql.gz.age`, encrypted: true, size: stored.length });
    expect(encrypted.bytes.equals(stored)).toBe(true);
    const ranged = await download(backup.id, "database", false, "bytes=100-70099");
    expect(ranged.response.status).toBe(206);
    expect(ranged.bytes.equals(plain.bytes.subarray(100, 70100))).toBe(true);
  });

  it("restores an encrypted Odoo backup, database and filestore, decrypting as it streams", async () => {
    const backup = await backupNow(odooEnvironment.id);
    firstOdooBackup = backup.id;
    expect(backup.artifacts.map((a) => a.fileName).sort()).toEqual([`backup-${backup.id}-database.sql.gz.age`, `backup-${backup.id}-filestore.index.jsonl.gz.age`, `backup-${backup.id}-manifest.json`]);
    const { done, database } = await restoreAsNew(backup.id, "copy");
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    const copy = await odooState(odoo, database);
    expect(copy.files).toEqual(odooOriginal.files);
    expect(copy.tables.res_users).toEqual(odooOriginal.tables.res_users);
  });

  it("after a key rotation encrypts to the new key, and an older backup still restores", async () => {
    const before = await currentKey();
    await expect(rotateOrganizationKey(t.db, owner, { confirm: "rotate" })).rejects.toThrow(/Type ROTATE/);
    const rotated = await rotateOrganizationKey(t.db, owner, { confirm: "ROTATE" });
    expect(rotated.recipient).not.toBe(before.recipient);
    const keys = await listOrganizationKeys(t.db, owner);
    expect(keys.map((k) => [k.id, k.retiredAt === null])).toEqual([
      [rotated.id, true],
      [before.id, false],
    ]);
    expect(keys[1]!.encryptedFiles).toBe(3);

    const newer = await backupNow(odooEnvironment.id);
    const manifest = JSON.parse(fs.readFileSync(path.join(setup.storageDir, newer.artifacts.find((a) => a.kind === "manifest")!.key), "utf8"));
    expect(manifest.artifacts.map((a: { encryption: { recipient: string } }) => a.encryption.recipient)).toEqual([rotated.recipient, rotated.recipient]);

    const { done, database } = await restoreAsNew(firstOdooBackup, "after_rotation");
    expect(done, done.error ?? "").toMatchObject({ status: "completed" });
    expect((await odooState(odoo, database)).files).toEqual(odooOriginal.files);
  });

  it("fails the restore of a backup encrypted to a key the console does not hold, saying so", async () => {
    const retired = (await listOrganizationKeys(t.db, owner)).find((k) => k.retiredAt !== null)!;
    await t.db.delete(organizationKeys).where(eq(organizationKeys.id, retired.id));
    const { done } = await restoreAsNew(firstOdooBackup, "without_key");
    expect(done).toMatchObject({ status: "failed", failureKind: "precondition" });
    expect(done.error).toBe(`The database file is encrypted to ${retired.recipient}, a key this console does not hold (Settings › Encryption lists the organization's keys); only that key's recovery kit can decrypt it (age -d -i kit.txt)`);
    // The decrypted download is refused too; the encrypted file can still be handed out.
    await expect(createDownloadLink(t.db, plugins, owner, { backupId: firstOdooBackup, artifact: "database" }, 900)).rejects.toThrow(/key the console no longer holds/);
    expect((await download(firstOdooBackup, "database", true)).response.status).toBe(200);
  });

  it("offers the recovery kit until an owner confirms it, then never again", async () => {
    const key = await currentKey();
    expect(key.kitConfirmedAt).toBeNull();
    await kitFile(key.id);
    const confirmed = await rest("POST", `/organization/keys/${key.id}/confirm-kit`, { token, body: {} });
    expect(confirmed).toMatchObject({ status: 200, body: { id: key.id, kitConfirmedAt: expect.any(String), kitConfirmedBy: owner.label } });
    const again = await rest("POST", `/organization/keys/${key.id}/recovery-kit`, { token, body: {} });
    expect(again).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining("does not hand out the private key again") } } });
  });

  it("hands out the encrypted file presigned by S3, and the decrypted one through the console", async () => {
    const s3 = await startS3Storage();
    try {
      const location = await createStorageLocation(t.db, plugins, owner, { name: "Encrypted S3", provider: "s3", config: s3.config, isDefault: false });
      const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, pgClient, "invoicing-s3");
      const created = await createBackup(t.db, owner, { environmentId: environment.id, name: "", notes: "", includeFilestore: false, retention: "daily", storageLocationId: location.id });
      const done = await waitForBackup(t.db, owner, created.id);
      expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
      const sealedLink = await createDownloadLink(t.db, plugins, owner, { backupId: created.id, artifact: "database", encrypted: true }, 900);
      expect(sealedLink).toMatchObject({ signedBy: "provider", encrypted: true, fileName: `backup-${created.id}-database.sql.gz.age` });
      const sealed = Buffer.from(await (await fetch(sealedLink.url)).arrayBuffer());
      expect(sealed.length).toBe(sealedLink.size);
      expect(sealed.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
      const plain = await download(created.id, "database");
      expect(plain.link).toMatchObject({ signedBy: "console", encrypted: false, fileName: `backup-${created.id}-database.sql.gz` });
      expect(plain.bytes.length).toBe(plain.link.size);
      expect(gunzipSync(plain.bytes).toString("utf8")).toContain("COPY public.invoices (id, client) FROM stdin;");
    } finally {
      await s3.stop();
    }
  });
});
