import { createHash, randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { generateAgeKeyPair } from "@/server/crypto/age-stream";
import {
  OBJECT_CHUNK_SIZE,
  OBJECT_MAGIC,
  encryptedObjectId,
  encryptedObjectSize,
  objectContentKey,
  objectDecryptor,
  objectEncryptor,
  orgObjectSecret,
} from "@/server/filestore/object-cipher";

const SEALED = OBJECT_CHUNK_SIZE + 16;
const sha1 = (bytes: Buffer) => createHash("sha1").update(bytes).digest("hex");

/** Streams `bytes` through `transform` in uneven pieces and collects what comes out. */
async function through(transform: NodeJS.ReadWriteStream, bytes: Buffer): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 10_007) pieces.push(bytes.subarray(i, i + 10_007));
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), transform, new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) }));
  return Buffer.concat(out);
}

async function orgSecret(): Promise<Buffer> {
  return orgObjectSecret((await generateAgeKeyPair()).identity);
}

async function encrypt(secret: Buffer, file: Buffer): Promise<{ id: string; stored: Buffer; key: Buffer }> {
  const key = objectContentKey(secret, sha1(file));
  return { id: encryptedObjectId(secret, sha1(file)), stored: await through(objectEncryptor(key), file), key };
}

describe("filestore object encryption", () => {
  it("round-trips empty, small, chunk-sized and multi-chunk files, framed as specified", async () => {
    const secret = await orgSecret();
    for (const size of [0, 1, 1000, OBJECT_CHUNK_SIZE, OBJECT_CHUNK_SIZE + 1, 3 * OBJECT_CHUNK_SIZE, 3 * OBJECT_CHUNK_SIZE + 17]) {
      const file = randomBytes(size);
      const { stored, key, id } = await encrypt(secret, file);
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(stored.subarray(0, OBJECT_MAGIC.length).toString()).toBe("safehold-object/1\n");
      expect(stored.length, `${size} bytes`).toBe(encryptedObjectSize(size));
      expect((await through(objectDecryptor(key), stored)).equals(file), `${size} bytes`).toBe(true);
    }
  });

  it("gives the same file the same id and bytes within an organization, other ones in another", async () => {
    const file = randomBytes(100_000);
    const one = await orgSecret();
    const [a, b] = [await encrypt(one, file), await encrypt(one, file)];
    expect(a.id).toBe(b.id);
    expect(a.stored.equals(b.stored)).toBe(true);
    const other = await encrypt(await orgSecret(), file);
    expect(other.id).not.toBe(a.id);
    expect(other.stored.equals(a.stored)).toBe(false);
    // Nothing of the content, its sha1 included, shows in the stored object or its name.
    expect(a.stored.includes(file.subarray(0, 64))).toBe(false);
    expect(a.id).not.toContain(sha1(file));
  });

  describe("a stored object changed in storage fails as damaged", () => {
    const cases: Array<[string, (stored: Buffer) => Buffer]> = [
      ["a flipped byte", (s) => Buffer.concat([s.subarray(0, 5000), Buffer.from([s[5000]! ^ 1]), s.subarray(5001)])],
      ["a dropped chunk", (s) => Buffer.concat([s.subarray(0, OBJECT_MAGIC.length + SEALED), s.subarray(OBJECT_MAGIC.length + 2 * SEALED)])],
      [
        "two chunks swapped",
        (s) => {
          const at = (i: number) => s.subarray(OBJECT_MAGIC.length + i * SEALED, OBJECT_MAGIC.length + (i + 1) * SEALED);
          return Buffer.concat([OBJECT_MAGIC, at(1), at(0), s.subarray(OBJECT_MAGIC.length + 2 * SEALED)]);
        },
      ],
      ["cut at a chunk boundary (no final chunk)", (s) => s.subarray(0, OBJECT_MAGIC.length + 2 * SEALED)],
      ["cut inside a chunk", (s) => s.subarray(0, s.length - 100)],
      ["cut to the magic line", (s) => s.subarray(0, OBJECT_MAGIC.length)],
      ["a chunk appended", (s) => Buffer.concat([s, s.subarray(OBJECT_MAGIC.length, OBJECT_MAGIC.length + SEALED)])],
      ["another magic line", (s) => Buffer.concat([Buffer.from("safehold-object/2\n"), s.subarray(OBJECT_MAGIC.length)])],
    ];
    it.each(cases)("%s", async (_name, change) => {
      const file = randomBytes(3 * OBJECT_CHUNK_SIZE + 500);
      const { stored, key } = await encrypt(await orgSecret(), file);
      await expect(through(objectDecryptor(key), change(stored))).rejects.toThrow(/^The object is damaged: /);
    });

    it("the right bytes under another file's key", async () => {
      const secret = await orgSecret();
      const { stored } = await encrypt(secret, randomBytes(2000));
      await expect(through(objectDecryptor(objectContentKey(secret, sha1(randomBytes(10)))), stored)).rejects.toThrow(/damaged/);
    });
  });

  it("streams a large file with flat memory", async () => {
    const secret = await orgSecret();
    const key = objectContentKey(secret, "0".repeat(40));
    const total = 384 * 1024 * 1024;
    const piece = randomBytes(256 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let seen = 0;
    await pipeline(
      Readable.from(
        (function* () {
          for (let sent = 0; sent < total; sent += piece.length) yield piece;
        })(),
      ),
      objectEncryptor(key),
      objectDecryptor(key),
      new Writable({
        write(chunk: Buffer, _e, done) {
          seen += chunk.length;
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
          done();
        },
      }),
    );
    expect(seen).toBe(total);
    // Garbage not yet collected counts too (more of it on a busy machine): the bound says "never more than a quarter
    // of the file", not an exact footprint.
    expect(peak).toBeLessThan(total / 4);
  });
});
