import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readBack } from "@/server/backups/read-back";

const content = Buffer.from("COPY public.t (a) FROM stdin;\n1\n\\.\n".repeat(5000));

describe("read-back verification", () => {
  it("hashes the stored bytes and accepts a gzip that decompresses to its end", async () => {
    const stored = gzipSync(content);
    const read = await readBack(Readable.from([stored.subarray(0, 100), stored.subarray(100)]), { kind: "database", compressed: true });
    expect(read.size).toBe(stored.length);
  });

  it("fails a truncated gzip with a message naming the artifact", async () => {
    const stored = gzipSync(content);
    await expect(readBack(Readable.from([stored.subarray(0, stored.length - 20)]), { kind: "database", compressed: true })).rejects.toThrow(
      /^Verification failed: the stored database file does not decompress cleanly \(unexpected end of file\); it is truncated or corrupt$/,
    );
  });

  it("fails a corrupt gzip", async () => {
    const stored = gzipSync(content);
    stored[stored.length - 6]! ^= 0xff;
    await expect(readBack(Readable.from([stored]), { kind: "filestore", compressed: true })).rejects.toThrow(/^Verification failed: the stored filestore file does not decompress cleanly \(.+\); it is truncated or corrupt$/);
  });

  it("leaves plain artifacts (the manifest) undecompressed", async () => {
    const read = await readBack(Readable.from([Buffer.from("{}")]), { kind: "manifest", compressed: false });
    expect(read.size).toBe(2);
  });
});
