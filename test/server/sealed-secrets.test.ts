import { createCipheriv, randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveKey, keyIdOf, masterKeyFromText } from "@/server/crypto/secret-key";
import { storageLocations } from "@/server/db/schema";
import { resealAll, upgradeUnboundSecrets } from "@/server/db/reseal-secrets";
import { openSecret, SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { StoredSecretError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { createOrgWithMembers } from "../helpers/fixtures";

const STORAGE = SEALED_COLUMNS.storageLocationSecrets;
const SERVERS = SEALED_COLUMNS.serverSecrets;
const key = randomBytes(32);
const otherKey = randomBytes(32);
const secrets = { password: "hunter2-but-longer" };

/** A value as Safehold wrote it before secrets were bound to their place: `v1.<iv>.<tag>.<ct>`, no associated data. */
function sealV1(master: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey("secrets-at-rest", master), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

function failure(run: () => unknown): StoredSecretError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(StoredSecretError);
    return err as StoredSecretError;
  }
  throw new Error("expected a StoredSecretError");
}

describe("sealed secrets", () => {
  const rowId = randomUUID();

  it("open for the row and column they were sealed for, in the v2 format with the key's id", () => {
    const sealed = sealSecret(STORAGE, rowId, secrets, key);
    expect(sealed).toMatch(new RegExp(`^v2\\.${keyIdOf(key)}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(openSecret(STORAGE, rowId, sealed, key)).toEqual(secrets);
  });

  it("name a key by an id that is not the key", () => {
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{8}$/);
    expect(key.toString("hex")).not.toContain(keyIdOf(key));
    expect(keyIdOf(masterKeyFromText("a".repeat(32)))).toBe(keyIdOf(masterKeyFromText("a".repeat(32))));
  });

  it("do not open on another row or in another column, and say where", () => {
    const sealed = sealSecret(STORAGE, rowId, secrets, key);
    const otherRow = randomUUID();
    expect(failure(() => openSecret(STORAGE, otherRow, sealed, key)).message).toBe(
      `The secret in storage_locations.secrets of row ${otherRow} does not belong to this row and column: it was sealed for another place (copied in the database) or altered; refusing to use it. Save these settings again with their secrets.`,
    );
    expect(failure(() => openSecret(SERVERS, rowId, sealed, key)).message).toContain(`servers.secrets of row ${rowId} does not belong`);
  });

  it("do not open once altered", () => {
    const [version, keyId, iv, tag, ciphertext] = sealSecret(STORAGE, rowId, secrets, key).split(".");
    const flipped = Buffer.from(ciphertext!, "base64url");
    flipped[0]! ^= 1;
    expect(failure(() => openSecret(STORAGE, rowId, [version, keyId, iv, tag, flipped.toString("base64url")].join("."), key)).message).toContain("does not belong");
    expect(failure(() => openSecret(STORAGE, rowId, "plain text", key)).message).toBe(`The secret in storage_locations.secrets of row ${rowId} is not a sealed value`);
  });

  it("under another key, say which key wrote them and which this console has", () => {
    const sealed = sealSecret(STORAGE, rowId, secrets, otherKey);
    expect(failure(() => openSecret(STORAGE, rowId, sealed, key)).message).toContain(
      `storage_locations.secrets of row ${rowId} was written with key ${keyIdOf(otherKey)}, this console has ${keyIdOf(key)}`,
    );
  });

  it("still read the v1 format (no binding, no key id) with the key that wrote it", () => {
    const legacy = sealV1(key, JSON.stringify(secrets));
    expect(openSecret(STORAGE, rowId, legacy, key)).toEqual(secrets);
    expect(failure(() => openSecret(STORAGE, rowId, legacy, otherKey)).message).toContain("was written with another key (v1 format, no key id)");
  });
});

describe("re-sealing stored values", () => {
  let t: TestDatabase;
  let orgId: string;
  const current = masterKeyFromText(process.env.SAFEHOLD_SECRET_KEY!);

  beforeAll(async () => {
    t = await createTestDatabase();
    orgId = (await createOrgWithMembers(t.db, "Sealing agency")).org.id;
  });
  afterAll(() => t?.drop());

  /** A storage location row whose secrets column holds `sealedFor(its id)`, written as SQL would. */
  async function location(name: string, sealedFor: (id: string) => string): Promise<string> {
    const id = randomUUID();
    await t.sql`insert into storage_locations (id, org_id, name, provider, secrets) values (${id}, ${orgId}, ${name}, 'local', ${sealedFor(id)})`;
    return id;
  }

  it("at start, v1 values are sealed again for their row; one this key does not open is left and reported", async () => {
    const legacy = await location("Legacy", () => sealV1(current, JSON.stringify(secrets)));
    const foreign = await location("Foreign", () => sealV1(otherKey, JSON.stringify(secrets)));
    const lines: string[] = [];
    await upgradeUnboundSecrets(t.db, (line) => lines.push(line));
    const [row] = await t.db.select().from(storageLocations).where(eq(storageLocations.id, legacy));
    expect(row!.secrets).toMatch(/^v2\./);
    expect(openSecret(STORAGE, legacy, row!.secrets, current)).toEqual(secrets);
    expect(lines).toEqual([expect.stringContaining(`storage_locations.secrets of row ${foreign} was written with another key`), "Sealed 1 stored secret(s) of the older v1 format for their row and column (v2)"]);
    await t.sql`delete from storage_locations where id = ${foreign}`;
  });

  it("a rotation stops at the first value the old key does not open, and changes nothing", async () => {
    const good = await location("Good", (id) => sealSecret(STORAGE, id, secrets, current));
    const copied = await location("Copied", () => sealSecret(STORAGE, good, secrets, current));
    const before = await t.sql`select id, secrets from storage_locations order by id`;
    await expect(t.db.transaction((tx) => resealAll(tx, current, key))).rejects.toThrow(`storage_locations.secrets of row ${copied} does not belong`);
    expect(await t.sql`select id, secrets from storage_locations order by id`).toEqual(before);
    await t.sql`delete from storage_locations where id = ${copied}`;
    const counts = await t.db.transaction((tx) => resealAll(tx, current, key));
    expect(counts).toMatchObject({ "storage_locations.secrets": 2, "servers.secrets": 0 });
    for (const row of await t.db.select().from(storageLocations)) expect(openSecret(STORAGE, row.id, row.secrets, key)).toEqual(secrets);
  });
});
