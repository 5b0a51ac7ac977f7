import { execFileSync } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ParallelGzip } from "@/server/backups/parallel-gzip";
import { readBack } from "@/server/backups/read-back";
import { pseudoRandom } from "../helpers/odoo-fixture";

const BLOCK = 64 * 1024;

/** Compressible text and incompressible bytes, as a dump with attachments has. */
function content(size: number): Buffer {
  const text = Buffer.from("COPY public.t (a, b) FROM stdin;\n1\tlorem ipsum dolor sit amet\n\\.\n".repeat(Math.ceil(size / 130)));
  return Buffer.concat([text.subarray(0, size >> 1), pseudoRandom("parallel gzip", size - (size >> 1))]);
}

/** `input` in pieces of `piece` bytes, so blocks are cut across chunk boundaries. */
function chunked(input: Buffer, piece = 10_000): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += piece) pieces.push(input.subarray(at, at + piece));
  return Readable.from(pieces);
}

async function compress(input: Buffer, options = { blockSize: BLOCK, concurrency: 3 }): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(chunked(input), new ParallelGzip(options), new Writable({ write: (chunk, _e, done) => (out.push(chunk), done()) }));
  return Buffer.concat(out);
}

/** How many gzip members a file has, as Python's zlib finds them one after the other. */
function members(gz: Buffer): number {
  const count = "import sys, zlib\ndata = sys.stdin.buffer.read()\nn = 0\nwhile data:\n    d = zlib.decompressobj(31)\n    d.decompress(data)\n    data = d.unused_data\n    n += 1\nprint(n)";
  return Number(execFileSync("python3", ["-c", count], { input: gz, encoding: "utf8" }));
}

describe("parallel gzip", () => {
  it("writes a multi-member gzip that gunzip, Python's gzip and Node's zlib read back byte for byte", async () => {
    const input = content(10 * BLOCK + 12_345);
    const gz = await compress(input);
    expect(members(gz)).toBe(11);
    expect(execFileSync("gunzip", ["-c"], { input: gz, maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    expect(execFileSync("python3", ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"], { input: gz, maxBuffer: 64 << 20 }).equals(input)).toBe(true);
    expect(gunzipSync(gz).equals(input)).toBe(true);
  });

  it("verifies on read-back to the last member, and fails one cut off after a whole member", async () => {
    const gz = await compress(content(4 * BLOCK));
    expect((await readBack(Readable.from([gz]), { kind: "database", compressed: true })).size).toBe(gz.length);
    const firstMember = gz.length - (await compress(content(4 * BLOCK).subarray(BLOCK))).length;
    await expect(readBack(Readable.from([gz.subarray(0, firstMember + 30)]), { kind: "database", compressed: true })).rejects.toThrow(/does not decompress cleanly/);
  });

  it("turns an empty input into a valid empty gzip", async () => {
    const gz = await compress(Buffer.alloc(0));
    expect(gz.length).toBeGreaterThan(0);
    expect(gunzipSync(gz).length).toBe(0);
    expect(execFileSync("gunzip", ["-c"], { input: gz }).length).toBe(0);
  });

  it("compresses a single byte and exact multiples of the block size", async () => {
    expect(gunzipSync(await compress(Buffer.from("x"))).toString()).toBe("x");
    for (const blocks of [1, 3]) {
      const input = content(blocks * BLOCK);
      const gz = await compress(input);
      expect(members(gz)).toBe(blocks);
      expect(gunzipSync(gz).equals(input)).toBe(true);
    }
  });

  it("stops when the pipeline is aborted mid-way", async () => {
    const controller = new AbortController();
    let seen = 0;
    const source = Readable.from(
      (async function* () {
        for (let i = 0; ; i++) {
          if (i === 20) controller.abort();
          yield content(BLOCK);
        }
      })(),
    );
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((seen += chunk.length), done()) });
    const gzip = new ParallelGzip({ blockSize: BLOCK, concurrency: 2 });
    await expect(pipeline(source, gzip, sink, { signal: controller.signal })).rejects.toThrow(/aborted/);
    expect(gzip.destroyed).toBe(true);
    expect(seen).toBeLessThan(20 * BLOCK);
  });

  it("fails the stream when a block cannot be compressed", async () => {
    const gzip = new ParallelGzip({ blockSize: BLOCK, concurrency: 2, level: 42 });
    await expect(pipeline(chunked(content(3 * BLOCK)), gzip, new Writable({ write: (_c, _e, done) => done() }))).rejects.toThrow(/level/i);
  });

  it("holds a bounded amount in memory when the reader is slow", async () => {
    const blockSize = 1024 * 1024;
    let produced = 0;
    let consumedRaw = 0;
    const input = content(blockSize);
    const source = Readable.from(
      (async function* () {
        for (let i = 0; i < 40; i++) {
          produced += input.length;
          yield input;
        }
      })(),
    );
    let maxAhead = 0;
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _e, done) {
        consumedRaw += gunzipSync(chunk).length;
        maxAhead = Math.max(maxAhead, produced - consumedRaw);
        setTimeout(done, 5);
      },
    });
    await pipeline(source, new ParallelGzip({ blockSize, concurrency: 2 }), sink);
    expect(consumedRaw).toBe(40 * blockSize);
    // Blocks compressing, the one filling, the one the source is yielding, and what the stream buffers hold.
    expect(maxAhead).toBeLessThanOrEqual(6 * blockSize);
  });
});
