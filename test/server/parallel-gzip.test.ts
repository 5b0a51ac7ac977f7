import { execFileSync } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ParallelGzip } from "@/server/backups/parallel-gzip";
import { verifyGzip } from "@/server/backups/gunzip";
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

  it("writes each member's length in its header, so the members tile the file", async () => {
    const gz = await compress(content(5 * BLOCK + 7));
    const lengths: number[] = [];
    for (let at = 0; at < gz.length; at += lengths.at(-1)!) {
      expect(gz.subarray(at + 12, at + 14).toString()).toBe("SH");
      lengths.push(gz.readUInt32LE(at + 16));
      expect(gunzipSync(gz.subarray(at, at + lengths.at(-1)!)).length).toBe(lengths.length <= 5 ? BLOCK : 7);
    }
    expect(lengths).toHaveLength(6);
  });

  it("verifies members in parallel, and still finds a corrupt byte in a middle member or a wrong announced length", async () => {
    const gz = await compress(content(6 * BLOCK));
    await expect(verifyGzip(Readable.from([gz]))).resolves.toBeUndefined();
    const corrupt = Buffer.from(gz);
    corrupt[Math.floor(gz.length / 2)]! ^= 0xff;
    await expect(verifyGzip(chunked(corrupt))).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
    const misannounced = Buffer.from(gz);
    misannounced.writeUInt32LE(misannounced.readUInt32LE(16) - 1, 16);
    await expect(verifyGzip(chunked(misannounced))).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
  });

  it("verifies another program's gzip after our members to its end, and refuses an empty file", async () => {
    const ours = await compress(content(2 * BLOCK));
    await expect(verifyGzip(chunked(Buffer.concat([ours, gzipSync(content(BLOCK))])))).resolves.toBeUndefined();
    await expect(verifyGzip(chunked(Buffer.concat([ours, gzipSync(content(BLOCK)).subarray(0, 1000)])))).rejects.toMatchObject({ code: "Z_BUF_ERROR" });
    await expect(readBack(Readable.from([Buffer.alloc(0)]), { kind: "database", compressed: true })).rejects.toThrow(/does not decompress cleanly/);
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
