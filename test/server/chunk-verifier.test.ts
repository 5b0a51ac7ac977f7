import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { ChunkHasher } from "@/server/backups/chunk-hashes";
import { ChunkVerifier, type ExpectedFile } from "@/server/restores/chunk-verifier";

const CHUNK = 16;

function expectedFor(bytes: Buffer, chunkSize = CHUNK): ExpectedFile {
  const hasher = new ChunkHasher(chunkSize);
  hasher.update(bytes);
  return { kind: "database", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), chunkSize, chunks: hasher.digest() };
}

/** A verifier and everything it has let through so far. */
function watched(expected: ExpectedFile) {
  const verifier = new ChunkVerifier(expected);
  const released: Buffer[] = [];
  let error: Error | undefined;
  verifier.on("data", (b: Buffer) => released.push(b));
  verifier.on("error", (e) => (error = e));
  const write = async (bytes: Buffer) => {
    verifier.write(bytes);
    await new Promise((r) => setImmediate(r));
  };
  return { verifier, write, released: () => Buffer.concat(released), error: () => error };
}

describe("chunk hashes of a stored file", () => {
  it("are the same whatever pieces the bytes arrive in, the last chunk shorter", () => {
    const bytes = randomBytes(CHUNK * 3 + 5);
    const whole = expectedFor(bytes).chunks;
    const pieces = new ChunkHasher(CHUNK);
    for (let i = 0; i < bytes.length; i += 7) pieces.update(bytes.subarray(i, i + 7));
    expect(pieces.digest()).toEqual(whole);
    expect(whole).toHaveLength(4);
    expect(whole[3]).toBe(createHash("sha256").update(bytes.subarray(CHUNK * 3)).digest("hex"));
    expect(new ChunkHasher(CHUNK).digest()).toEqual([]);
  });
});

describe("the chunk verifier", () => {
  it("releases nothing of a chunk before all of it arrived and matched, then all of it", async () => {
    const bytes = randomBytes(CHUNK * 2 + 3);
    const v = watched(expectedFor(bytes));
    await v.write(bytes.subarray(0, CHUNK - 1));
    expect(v.released()).toHaveLength(0);
    await v.write(bytes.subarray(CHUNK - 1, CHUNK + 4));
    expect(v.released()).toEqual(bytes.subarray(0, CHUNK));
    await v.write(bytes.subarray(CHUNK + 4));
    // The last, shorter chunk waits for the end of the stream: only then is it known to be whole.
    expect(v.released()).toEqual(bytes.subarray(0, CHUNK * 2));
    v.verifier.end();
    await new Promise((r) => v.verifier.once("end", r));
    expect(v.released()).toEqual(bytes);
    expect(v.error()).toBeUndefined();
  });

  it("never releases a changed chunk, nor anything after it", async () => {
    const bytes = randomBytes(CHUNK * 3);
    const expected = expectedFor(bytes);
    const tampered = Buffer.from(bytes);
    tampered[CHUNK + 2]! ^= 0x01;
    const v = watched(expected);
    await v.write(tampered);
    expect(v.released()).toEqual(bytes.subarray(0, CHUNK));
    expect(v.error()?.message).toMatch(/^The stored database file is damaged: bytes 16–31 \(chunk 2 of 3\) have sha256 \w{12}…, not the \w{12}… recorded when the backup was taken$/);
  });

  it("refuses a changed first line before a single byte goes on", async () => {
    const dump = Buffer.from("--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n");
    const v = watched(expectedFor(dump, 1024));
    await v.write(Buffer.from("\\! touch /tmp/x\n"));
    await v.write(dump.subarray(16));
    v.verifier.end();
    await new Promise((r) => setImmediate(r));
    expect(v.released()).toHaveLength(0);
    expect(v.error()?.message).toMatch(/^The stored database file is damaged: bytes 0–\d+ \(chunk 1 of 1\)/);
  });

  it("fails a file cut short, or longer than recorded, naming the sizes", async () => {
    const bytes = randomBytes(CHUNK * 2);
    const short = watched(expectedFor(bytes));
    await short.write(bytes.subarray(0, CHUNK));
    short.verifier.end();
    await new Promise((r) => setImmediate(r));
    expect(short.released()).toEqual(bytes.subarray(0, CHUNK));
    expect(short.error()?.message).toBe("The stored database file is damaged: it ends after 16 bytes, but 32 bytes were recorded when the backup was taken");

    const long = watched(expectedFor(bytes));
    await long.write(Buffer.concat([bytes, randomBytes(CHUNK)]));
    expect(long.released()).toEqual(bytes);
    expect(long.error()?.message).toBe("The stored database file is damaged: it is longer than the 32 bytes recorded when the backup was taken");
  });

  it("checks the whole size and sha256 against the catalog at the end", async () => {
    const bytes = randomBytes(CHUNK + 1);
    const expected = { ...expectedFor(bytes), sha256: "0".repeat(64) };
    await expect(pipeline(Readable.from([bytes]), new ChunkVerifier(expected), async function* (source) {
      for await (const _ of source);
    })).rejects.toThrow(/^The stored database file is damaged: 17 bytes with sha256 \w{12}…, but 17 bytes with sha256 000000000000… were verified/);
  });

  it("counts verified bytes only, and never has more than the chunk it released waiting downstream", async () => {
    const chunkSize = 64 * 1024;
    const bytes = randomBytes(chunkSize * 40 + 100);
    const counted: number[] = [];
    const verifier = new ChunkVerifier(expectedFor(bytes, chunkSize), (n) => counted.push(n));
    let peak = 0;
    const source = Readable.from((function* () {
      for (let i = 0; i < bytes.length; i += 10_000) yield bytes.subarray(i, i + 10_000);
    })());
    await pipeline(source, verifier, async function* (released) {
      for await (const _ of released) {
        peak = Math.max(peak, verifier.readableLength);
        await new Promise((r) => setImmediate(r));
      }
    });
    expect(counted.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    expect(counted.slice(0, -1).every((n) => n === chunkSize)).toBe(true);
    expect(peak).toBeLessThanOrEqual(chunkSize);
  });
});
