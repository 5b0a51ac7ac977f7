import { createHash, randomBytes } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { isPluginError, type StorageClient } from "@safehold/plugin-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashOf, testContext, testOptions } from "./helpers.js";

type Factory = () => StorageClient | Promise<StorageClient>;

export type StorageContractOptions = {
  /** A client for the same server with credentials it refuses (omit when the provider has none, e.g. a local folder). */
  badCredentials?: Factory;
  /** A client for a host or port where nothing answers. */
  unreachable?: Factory;
  /** Size of the streamed object in the bounded-memory case (MB); 0 skips it. Default 200. */
  bigObjectMb?: number;
  /** Whether `get` of a missing key must reject with a NOT_FOUND PluginError (default true; the message must name the key either way). */
  typedNotFound?: boolean;
};

const MB = 1024 * 1024;

/** `size` bytes of a repeated random block, produced as they are read; fails after `failAfter` bytes when given. */
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

/**
 * The storage provider contract (StorageClient of @safehold/plugin-api), as vitest cases: put/get/list/delete with
 * nested keys, overwrite and ranged reads, a named missing key, streaming with bounded memory, nothing
 * complete-looking after a failed put, and clear messages for refused credentials and unreachable servers.
 * `create` is called once, in beforeAll; the client is closed in afterAll.
 */
export function describeStorageContract(name: string, create: Factory, options: StorageContractOptions = {}): void {
  const bigObjectMb = options.bigObjectMb ?? 200;
  describe(`storage contract: ${name}`, () => {
    let storage: StorageClient;
    const prefix = `contract-${Date.now()}-${randomBytes(3).toString("hex")}`;

    beforeAll(async () => {
      storage = await create();
    }, 120_000);

    afterAll(async () => {
      await storage?.close?.();
    });

    it("tests the connection", async () => {
      expect(await storage.testConnection(testContext(), testOptions())).toMatchObject({ ok: true, message: expect.any(String) });
    });

    it("puts, gets, lists and deletes objects, with nested keys", async () => {
      await storage.put(`${prefix}/a/one.txt`, Readable.from([Buffer.from("first object")]));
      await storage.put(`${prefix}/a/b/two.txt`, Readable.from([Buffer.from("second")]));
      expect(Buffer.concat(await (await storage.get(`${prefix}/a/one.txt`)).toArray()).toString()).toBe("first object");
      const listed = (await storage.list(`${prefix}/`)).map((o) => [o.key, o.size]).sort();
      expect(listed).toEqual([[`${prefix}/a/b/two.txt`, 6], [`${prefix}/a/one.txt`, 12]]);
      await storage.delete(`${prefix}/a/one.txt`);
      expect((await storage.list(`${prefix}/`)).map((o) => o.key)).toEqual([`${prefix}/a/b/two.txt`]);
      await storage.delete(`${prefix}/a/one.txt`); // deleting a missing object is not an error
      await storage.delete(`${prefix}/a/b/two.txt`);
    });

    it("overwrites an object, and reads it from an offset", async () => {
      await storage.put(`${prefix}/over.txt`, Readable.from([Buffer.from("old content that is longer")]));
      await storage.put(`${prefix}/over.txt`, Readable.from([Buffer.from("new content")]));
      expect(Buffer.concat(await (await storage.get(`${prefix}/over.txt`)).toArray()).toString()).toBe("new content");
      expect(Buffer.concat(await (await storage.get(`${prefix}/over.txt`, { start: 4 })).toArray()).toString()).toBe("content");
      await storage.delete(`${prefix}/over.txt`);
    });

    it("rejects a missing key with a message naming it", async () => {
      const failure = await storage.get(`${prefix}/missing.bin`).then(hashOf).then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/missing\.bin/);
      if (options.typedNotFound ?? true) expect(isPluginError(failure, "NOT_FOUND"), `a NOT_FOUND PluginError, got ${String(failure)}`).toBe(true);
    });

    it.skipIf(!bigObjectMb)(`streams a ${bigObjectMb} MB object both ways with bounded memory`, async () => {
      const size = bigObjectMb * MB;
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

    it.skipIf(!options.badCredentials)("says clearly when the credentials are refused", async () => {
      const client = await options.badCredentials!();
      try {
        const result = await client.testConnection(testContext(), testOptions());
        expect(result.ok).toBe(false);
        expect(result.message).toMatch(/credential|password|key|refused|denied|authenticat/i);
      } finally {
        await client.close?.();
      }
    });

    it.skipIf(!options.unreachable)("says clearly when the server cannot be reached", async () => {
      const client = await options.unreachable!();
      const started = Date.now();
      try {
        const result = await client.testConnection(testContext(), testOptions());
        expect(result.ok).toBe(false);
        expect(result.message).toMatch(/reach|refused|connect|resolve|answer/i);
        expect(Date.now() - started).toBeLessThan(30_000);
      } finally {
        await client.close?.();
      }
    }, 60_000);
  });
}
