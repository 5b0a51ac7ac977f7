import { createHash, randomBytes } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StorageClient } from "@/server/plugins/contracts";
import { builtinPluginHost } from "../helpers/fixtures";
import { startFtpStorage, startFtpsStorage } from "../helpers/storage-servers/ftp";
import { startLocalStorage } from "../helpers/storage-servers/local";
import { startS3Storage } from "../helpers/storage-servers/s3";
import { startSftpStorage } from "../helpers/storage-servers/sftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/** Every provider runs the same cases against a real server on 127.0.0.1; a starter throws when its server cannot run here. */
const TARGETS: Array<[string, () => Promise<StorageTarget>]> = [
  ["local", startLocalStorage],
  ["s3", startS3Storage],
  ["sftp", startSftpStorage],
  ["ftp", startFtpStorage],
  ["ftps", startFtpsStorage],
];

const plugins = builtinPluginHost();
const MB = 1024 * 1024;

/** `size` bytes of a repeated random block, produced as they are read. */
function generated(size: number, failAfter?: number): Readable {
  const block = randomBytes(MB);
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error("the source failed mid-way"));
        return;
      }
      if (sent >= size) return void this.push(null);
      const chunk = block.subarray(0, Math.min(MB, size - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function hashOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

describe.each(TARGETS)("storage contract: %s", (_name, start) => {
  let target: StorageTarget | undefined;
  let storage: StorageClient;
  const prefix = `contract-${Date.now()}`;

  beforeAll(async () => {
    target = await start();
    storage = (await plugins.storageProvider(target.provider)).create(target.config);
  }, 120_000);

  afterAll(async () => {
    await storage?.close?.();
    await target?.stop();
  });

  it("tests the connection", async () => {
    expect(await storage.testConnection()).toMatchObject({ ok: true });
  });

  it("puts, gets, lists and deletes objects, with nested keys", async () => {
    await storage.put(`${prefix}/a/one.txt`, Readable.from([Buffer.from("first object")]));
    await storage.put(`${prefix}/a/b/two.txt`, Readable.from([Buffer.from("second")]));
    expect(Buffer.concat(await (await storage.get(`${prefix}/a/one.txt`)).toArray()).toString()).toBe("first object");
    const listed = (await storage.list(`${prefix}/`)).map((o) => [o.key, o.size]).sort();
    expect(listed).toEqual([[`${prefix}/a/b/two.txt`, 6], [`${prefix}/a/one.txt`, 12]]);
    await storage.delete(`${prefix}/a/one.txt`);
    expect((await storage.list(`${prefix}/`)).map((o) => o.key)).toEqual([`${prefix}/a/b/two.txt`]);
    await storage.delete(`${prefix}/a/one.txt`);
  });

  it("overwrites an object, and reads it from an offset", async () => {
    await storage.put(`${prefix}/over.txt`, Readable.from([Buffer.from("old content that is longer")]));
    await storage.put(`${prefix}/over.txt`, Readable.from([Buffer.from("new content")]));
    expect(Buffer.concat(await (await storage.get(`${prefix}/over.txt`)).toArray()).toString()).toBe("new content");
    expect(Buffer.concat(await (await storage.get(`${prefix}/over.txt`, { start: 4 })).toArray()).toString()).toBe("content");
  });

  it("rejects a missing key with a message naming it", async () => {
    await expect(storage.get(`${prefix}/missing.bin`).then(hashOf)).rejects.toThrow(/missing\.bin/);
  });

  it("streams a 200 MB object both ways with bounded memory", async () => {
    const size = 200 * MB;
    const expected = createHash("sha256");
    // Hashed on its way to the provider: a "data" listener would start the flow before the provider reads.
    const source = generated(size).pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          expected.update(chunk);
          done(null, chunk);
        },
      }),
    );
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    try {
      const stored = await storage.put(`${prefix}/big.bin`, source);
      expect(stored.size).toBe(size);
      const read = await hashOf(await storage.get(`${prefix}/big.bin`));
      expect(read).toEqual({ sha256: expected.digest("hex"), size });
    } finally {
      clearInterval(sampler);
    }
    expect(peak - baseline, `RSS grew by ${Math.round((peak - baseline) / MB)} MB`).toBeLessThan(150 * MB);
    await storage.delete(`${prefix}/big.bin`);
  }, 300_000);

  it("leaves nothing complete-looking when the source fails mid-way", async () => {
    await expect(storage.put(`${prefix}/broken.bin`, generated(50 * MB, 12 * MB))).rejects.toThrow();
    const left = (await storage.list(`${prefix}/`)).filter((o) => o.key.includes("broken.bin"));
    expect(left).toEqual([]);
  }, 120_000);

  it("says clearly when the credentials are refused", async () => {
    if (!target?.badCredentials) return;
    const result = await (await plugins.storageProvider(target.provider)).create(target.badCredentials).testConnection();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/credential|password|key|refused|denied|authenticat/i);
  });

  it("says clearly when the server cannot be reached", async () => {
    if (!target?.unreachable) return;
    const started = Date.now();
    const result = await (await plugins.storageProvider(target.provider)).create(target.unreachable).testConnection();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/reach|refused|connect|resolve|answer/i);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
