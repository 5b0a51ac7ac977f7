import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  backupViaApi,
  createClientWithInvoices,
  createPostgresEnvironmentViaApi,
  databaseSnapshot,
  freshCopiesLeft,
  psqlUnchecked,
  restoreOriginalViaApi,
  startSecurityConsole,
  storedFile,
  type ApiBackup,
  type ClientDatabase,
  type SecurityConsole,
} from "../helpers/security-console";

// Whoever can write to the storage (the bucket, the FTP folder, a man in the middle of plain FTP) replaces a
// backup's database file; the catalog, in the console's own database, still holds the true size and sha256.
let t: TestDatabase;
let c: SecurityConsole;
let client: ClientDatabase;
let backup: ApiBackup;
let tampered: Buffer;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-tampered-artifact-"));
const marker = path.join(work, "pwned");

beforeAll(async () => {
  t = await createTestDatabase();
  c = await startSecurityConsole(t);
  client = await createClientWithInvoices();
  backup = await backupViaApi(c, await createPostgresEnvironmentViaApi(c, client));
  expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
  // The attacker's file: the real dump with a shell command as its first line.
  const dump = gunzipSync(fs.readFileSync(storedFile(c, backup, "database")));
  tampered = gzipSync(Buffer.concat([Buffer.from(`\\! touch ${marker}\n`), dump]));
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a stored database file replaced in storage", () => {
  it("runs its command when fed to psql unverified (the weakened setting: gunzip | psql, checked at the end)", async () => {
    const file = path.join(work, "tampered.sql.gz");
    fs.writeFileSync(file, tampered);
    await psqlUnchecked(client, file);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
  });

  it("is refused by a restore through the console before anything runs, and the target is left as it was", async () => {
    const before = await databaseSnapshot(client);
    fs.writeFileSync(storedFile(c, backup, "database"), tampered);

    const restore = await restoreOriginalViaApi(c, backup.id);
    expect(restore.status).toBe("failed");
    expect(restore.error).toMatch(/^The stored database file is damaged: bytes 0–\d+ \(chunk 1 of 1\) have sha256 \w{12}…, not the \w{12}… recorded when the backup was taken$/);
    expect(restore.swappedAt).toBeNull();
    expect(fs.existsSync(marker)).toBe(false);
    expect(await databaseSnapshot(client)).toEqual(before);
    expect(await freshCopiesLeft(client)).toEqual([]);
  });
});
