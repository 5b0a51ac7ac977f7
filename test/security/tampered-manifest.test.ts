import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChunkHasher } from "@/server/backups/chunk-hashes";
import { signManifest } from "@/server/backups/manifest-signature";
import { ChunkVerifier } from "@/server/restores/chunk-verifier";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  backupViaApi,
  createClientWithInvoices,
  createPostgresEnvironmentViaApi,
  databaseSnapshot,
  freshCopiesLeft,
  restoreOriginalViaApi,
  startSecurityConsole,
  storedFile,
  type ApiBackup,
  type ClientDatabase,
  type SecurityConsole,
} from "../helpers/security-console";

// The attacker writes to the storage only, but both files: the database file with a shell command as its first
// line, and the manifest rewritten so its checksums describe that file. Only the console's key can sign it.
let t: TestDatabase;
let c: SecurityConsole;
let client: ClientDatabase;
let environmentId: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-tampered-manifest-"));
const marker = path.join(work, "pwned");
const NOT_SIGNED = "The stored manifest of this backup is not signed by this console: it was changed in storage after the backup was taken; refusing to restore it";

type Manifest = { signature: { algorithm: string; value: string }; artifacts: Array<{ kind: string; size: number; sha256: string; chunkSize: number; chunks: string[] }> } & Record<string, unknown>;

function checksums(bytes: Buffer) {
  const hasher = new ChunkHasher();
  hasher.update(bytes);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), chunks: hasher.digest() };
}

/** A completed backup whose stored database file now starts with `\! touch <marker>` (then the dump, unless told), and its manifest as stored. */
async function tamperedBackup(withDump = true): Promise<{ backup: ApiBackup; tampered: Buffer; manifest: Manifest }> {
  const backup = await backupViaApi(c, environmentId);
  expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
  const dump = withDump ? gunzipSync(fs.readFileSync(storedFile(c, backup, "database"))) : Buffer.alloc(0);
  const tampered = gzipSync(Buffer.concat([Buffer.from(`\\! touch ${marker}\n`), dump]));
  fs.writeFileSync(storedFile(c, backup, "database"), tampered);
  return { backup, tampered, manifest: JSON.parse(fs.readFileSync(storedFile(c, backup, "manifest"), "utf8")) as Manifest };
}

function writeManifest(backup: ApiBackup, manifest: object) {
  fs.writeFileSync(storedFile(c, backup, "manifest"), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function expectRefused(backup: ApiBackup) {
  const before = await databaseSnapshot(client);
  const restore = await restoreOriginalViaApi(c, backup.id);
  expect(restore.status).toBe("failed");
  expect(restore.error).toBe(NOT_SIGNED);
  expect(restore.swappedAt).toBeNull();
  expect(fs.existsSync(marker)).toBe(false);
  expect(await databaseSnapshot(client)).toEqual(before);
  expect(await freshCopiesLeft(client)).toEqual([]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  c = await startSecurityConsole(t);
  client = await createClientWithInvoices();
  environmentId = await createPostgresEnvironmentViaApi(c, client);
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a backup whose database file and manifest were both rewritten in storage", () => {
  it("passes a check that trusts the manifest as storage holds it, and then runs its command (the weakened setting)", async () => {
    const { tampered, manifest } = await tamperedBackup();
    const entry = { ...manifest.artifacts.find((a) => a.kind === "database")!, ...checksums(tampered) };
    // The restore's own chunk verifier, given the rewritten manifest's checksums, passes every byte to psql.
    const psql = spawn("psql", ["--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "--file=-"], {
      env: { ...process.env, PGHOST: client.host, PGPORT: String(client.port), PGUSER: client.user, PGPASSWORD: client.password, PGDATABASE: client.database },
      stdio: ["pipe", "ignore", "ignore"],
    });
    const exited = new Promise((resolve) => psql.once("close", resolve));
    let firstLine = true;
    await pipeline(Readable.from([tampered]), new ChunkVerifier(entry), createGunzip(), async function* (source) {
      // psql gets the first line only: the command runs, and the client database is not loaded over.
      for await (const chunk of source) {
        if (firstLine) psql.stdin.end((chunk as Buffer).subarray(0, (chunk as Buffer).indexOf("\n") + 1));
        firstLine = false;
      }
    });
    await exited;
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
  });

  it("is refused by its signature when the rewritten manifest kept its old signature", async () => {
    const { backup, tampered, manifest } = await tamperedBackup();
    const artifacts = manifest.artifacts.map((a) => (a.kind === "database" ? { ...a, ...checksums(tampered) } : a));
    writeManifest(backup, { ...manifest, artifacts });
    await expectRefused(backup);
  });

  it("is refused by its signature when the rewritten manifest was signed with another key", async () => {
    const { backup, tampered, manifest } = await tamperedBackup();
    const { signature: _old, ...body } = manifest;
    const artifacts = manifest.artifacts.map((a) => (a.kind === "database" ? { ...a, ...checksums(tampered) } : a));
    writeManifest(backup, signManifest({ ...body, artifacts }, randomBytes(32)));
    await expectRefused(backup);
  });

  it("is refused by its signature when only the chunk checksums were forged, size and sha256 left as the catalog has them", async () => {
    // Without the signature this one would pass the manifest-against-catalog check, and its chunk would reach
    // psql before the whole-file sha256 could fail: the signature is what stops it before any byte is used.
    const { backup, tampered, manifest } = await tamperedBackup(false);
    const original = manifest.artifacts.find((a) => a.kind === "database")!;
    const padded = Buffer.concat([tampered, Buffer.alloc(original.size - tampered.length)]);
    expect(padded.length).toBe(original.size);
    fs.writeFileSync(storedFile(c, backup, "database"), padded);
    const artifacts = manifest.artifacts.map((a) => (a.kind === "database" ? { ...a, chunks: checksums(padded).chunks } : a));
    writeManifest(backup, { ...manifest, artifacts });
    await expectRefused(backup);
  });
});
