import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { FilestoreIndexWriter, MAX_INDEX_LINE, readFilestoreIndex, type IndexEntry } from "@/server/filestore/filestore-index";
import { chunkCount, objectChunkSize } from "@/server/filestore/object-chunks";

const SHA1 = "a".repeat(40);
const SHA256 = "b".repeat(64);
const MiB = 1024 * 1024;
const file = (path: string, size = 3): IndexEntry => ({ type: "file", path, size, mtime: 1_700_000_000, mode: 0o644, object: SHA1, sha1: SHA1, sha256: SHA256 });

async function collect(content: Readable): Promise<IndexEntry[]> {
  const out: IndexEntry[] = [];
  for await (const entry of readFilestoreIndex(content)) out.push(entry);
  return out;
}

/** An index made of these lines (objects as JSON, strings as they are). */
function indexOf(...lines: Array<object | string>): Readable {
  return Readable.from([lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n"]);
}

const HEADER = { format: "safehold-filestore-index/1" };
const line = (entry: IndexEntry) => {
  const { type: _type, ...rest } = entry;
  return rest;
};

describe("filestore index", () => {
  it("reads back what was written, in pieces of any size, totals checked", async () => {
    const writer = new FilestoreIndexWriter();
    const entries: IndexEntry[] = [
      file("ab/abcdef", 10),
      file("é/ü ñ.bin", 0),
      { type: "symlink", path: "link", target: "../elsewhere", mtime: 5, mode: 0o777 },
      file("cd/" + "x".repeat(200), 1234),
    ];
    const bytes: Buffer[] = [];
    writer.stream.on("data", (b: Buffer) => bytes.push(b));
    for (const entry of entries) await writer.add(entry);
    expect(await writer.end()).toEqual({ files: 3, bytes: 1244 });
    const all = Buffer.concat(bytes);
    const pieces: Buffer[] = [];
    for (let i = 0; i < all.length; i += 7) pieces.push(all.subarray(i, i + 7));
    expect(await collect(Readable.from(pieces))).toEqual(entries);
    expect(all.toString().split("\n").at(-2)).toBe('{"end":true,"files":3,"bytes":1244}');
  });

  const hostile: Array<[string, Readable, RegExp]> = [
    ["empty", Readable.from([]), /is empty/],
    ["no format line", indexOf(line(file("a")), { end: true, files: 1, bytes: 3 }), /does not begin with the safehold-filestore-index\/1 format line/],
    ["another format", indexOf({ format: "safehold-filestore-index/2" }, { end: true, files: 0, bytes: 0 }), /format line/],
    ["no end line", indexOf(HEADER, line(file("a"))), /no end line: it was cut short/],
    ["cut inside a line", Readable.from([`${JSON.stringify(HEADER)}\n{"path":"a","si`]), /middle of a line/],
    ["totals that differ", indexOf(HEADER, line(file("a", 3)), { end: true, files: 1, bytes: 4 }), /lists 1 files of 3 bytes, but its end line says 1 files of 4 bytes/],
    ["a line after the end", indexOf(HEADER, { end: true, files: 0, bytes: 0 }, line(file("a"))), /line 3 after its end line/],
    ["an absolute path", indexOf(HEADER, line(file("/etc/passwd")), { end: true, files: 1, bytes: 3 }), /Line 2 .*unsafe path/],
    ["a path through ..", indexOf(HEADER, line(file("ab/../../x")), { end: true, files: 1, bytes: 3 }), /unsafe path/],
    ["a path with NUL", indexOf(HEADER, line(file("ab/x\u0000y")), { end: true, files: 1, bytes: 3 }), /unsafe path/],
    ["an empty path", indexOf(HEADER, line(file("")), { end: true, files: 1, bytes: 3 }), /unsafe path/],
    ["an empty path part", indexOf(HEADER, line(file("ab//x")), { end: true, files: 1, bytes: 3 }), /unsafe path/],
    ["a negative size", indexOf(HEADER, line(file("a", -1)), { end: true, files: 1, bytes: -1 }), /Line 2 .*size/],
    ["a fractional size", indexOf(HEADER, line(file("a", 1.5)), { end: true, files: 1, bytes: 1.5 }), /Line 2 .*size/],
    ["an object id that is not hex", indexOf(HEADER, { ...line(file("a")), object: "../../x" }, { end: true, files: 1, bytes: 3 }), /Line 2 .*object/],
    ["an unknown field", indexOf(HEADER, { ...line(file("a")), extra: 1 }, { end: true, files: 1, bytes: 3 }), /Line 2 .*invalid/],
    ["not JSON", indexOf(HEADER, "{nope", { end: true, files: 0, bytes: 0 }), /Line 2 of the filestore index is not JSON/],
    ["a line too long", indexOf(HEADER, "x".repeat(MAX_INDEX_LINE + 10)), /longer than/],
    ["a link with NUL", indexOf(HEADER, { path: "l", target: "a\u0000", mtime: 1, mode: 0o777 }, { end: true, files: 0, bytes: 0 }), /link target with NUL/],
    ["chunk hashes missing one", indexOf(HEADER, { ...line(file("a", 3 * MiB)), chunks: [SHA256, SHA256] }, { end: true, files: 1, bytes: 3 * MiB }), /Line 2 .*2 chunk hashes for 3145728 bytes, not 3/],
    ["chunk hashes on a file of one chunk", indexOf(HEADER, { ...line(file("a", 10)), chunks: [SHA256] }, { end: true, files: 1, bytes: 10 }), /Line 2 .*1 chunk hashes for 10 bytes, not 0/],
    ["a chunk hash that is not one", indexOf(HEADER, { ...line(file("a", 2 * MiB)), chunks: [SHA256, "../x"] }, { end: true, files: 1, bytes: 2 * MiB }), /Line 2 .*chunks/],
  ];
  it.each(hostile)("refuses an index with %s", async (_name, content, message) => {
    await expect(collect(content)).rejects.toThrow(message);
  });

  it("reads a large file's chunk hashes; a huge file's chunks grow so its line stays short", async () => {
    const large = { ...file("big", 3 * MiB + 1), chunks: Array.from({ length: 4 }, () => SHA256) };
    const huge = { ...file("huge", 100 * 1024 * MiB), chunks: Array.from({ length: chunkCount(100 * 1024 * MiB) }, () => SHA256) };
    expect(objectChunkSize(100 * 1024 * MiB)).toBe(32 * MiB);
    expect(huge.chunks.length).toBe(3200);
    const total = 3 * MiB + 1 + 100 * 1024 * MiB;
    expect(await collect(indexOf(HEADER, line(large), line(huge), { end: true, files: 2, bytes: total }))).toEqual([large, huge]);
    expect(JSON.stringify(line(huge)).length).toBeLessThan(MAX_INDEX_LINE);
  });

  it("refuses an endless line without holding it", async () => {
    const endless = Readable.from(
      (function* () {
        yield `${JSON.stringify(HEADER)}\n`;
        for (let i = 0; i < 10_000; i++) yield "y".repeat(64 * 1024);
      })(),
    );
    await expect(collect(endless)).rejects.toThrow(/longer than/);
  });
});
