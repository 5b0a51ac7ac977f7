import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipPsqlInput } from "@safehold/postgres-tools";

const HEADER = "--\n-- PostgreSQL database dump\n--\n\n";
const END = "--\n-- PostgreSQL database dump complete\n--\n\n";
const refuse = (start: string) => `not a dump: ${start}`;

/** A stored gzip file, read back in small chunks as storage would return it. */
function stored(text: string): Readable {
  const bytes = gzipSync(Buffer.from(text));
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 997) chunks.push(bytes.subarray(at, at + 997));
  return Readable.from(chunks);
}

/** What psql would read: the bytes that went out, decompressed as the server does, and the error that stopped them. */
async function sent(input: Readable): Promise<{ text: string; error: string | null }> {
  const out: Buffer[] = [];
  let error: string | null = null;
  try {
    for await (const chunk of input) out.push(chunk as Buffer);
  } catch (err) {
    error = (err as Error).message;
  }
  const gunzip = createGunzip();
  const text: Buffer[] = [];
  gunzip.on("data", (b: Buffer) => text.push(b));
  await new Promise<void>((resolve) => {
    gunzip.once("end", resolve);
    gunzip.once("error", () => resolve());
    gunzip.end(Buffer.concat(out));
  });
  return { text: Buffer.concat(text).toString("utf8"), error };
}

/** Rows that do not compress away, so the dump spans many gzip chunks. */
const rows = () => Array.from({ length: 3000 }, (_, i) => `${i}\t${randomBytes(24).toString("hex")}\n`).join("");

describe("psql input for a dump the server decompresses", () => {
  it("sends a dump with its own \\restrict key as it is, after a blank line that keeps psql's line numbers as with a loader's line", async () => {
    const dump = `${HEADER}\\restrict abc123\n\nCOPY t FROM stdin;\n${rows()}\\.\n\n${END}\\unrestrict abc123\n\n`;
    expect(await sent(gzipPsqlInput(stored(dump), "loaderkey", refuse))).toEqual({ text: `\n${dump}`, error: null });
  });

  it("locks an older dump without one with the loader's key, sent first as a gzip member of its own", async () => {
    const dump = `${HEADER}COPY t FROM stdin;\n${rows()}\\.\n\n${END}`;
    expect(await sent(gzipPsqlInput(stored(dump), "loaderkey", refuse))).toEqual({ text: `\\restrict loaderkey\n${dump}`, error: null });
  });

  it("never lets out a line that follows the dump's \\unrestrict", async () => {
    const dump = `${HEADER}\\restrict abc123\n\nCOPY t FROM stdin;\n${rows()}\\.\n\\unrestrict abc123\n\\! touch /tmp/pwned\n${rows()}${END}\\unrestrict abc123\n`;
    const { text, error } = await sent(gzipPsqlInput(stored(dump), "loaderkey", refuse));
    expect(error).toMatch(/goes on after its closing \\unrestrict line/);
    expect(text).not.toContain("\\! touch");
  });

  it("never lets out a line that follows the dump's \\unrestrict when storage returns big chunks that inflate to many", async () => {
    // Compressible rows: one 64 KiB stored chunk inflates to many zlib output chunks, so the check must see them all
    // before the stored chunk goes on.
    const plain = Array.from({ length: 40000 }, (_, i) => `${i}\tsame text again and again\n`).join("");
    const dump = `${HEADER}\\restrict abc123\n\nCOPY t FROM stdin;\n${plain}\\.\n\\unrestrict abc123\n\\! touch /tmp/pwned\n${plain}${END}\\unrestrict abc123\n`;
    const bytes = gzipSync(Buffer.from(dump));
    for (const size of [64 * 1024, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      const { text, error } = await sent(gzipPsqlInput(Readable.from(chunks), "loaderkey", refuse));
      expect(error).toMatch(/goes on after its closing \\unrestrict line/);
      expect(text).not.toContain("\\! touch");
    }
  });

  it("finds the closing line wherever the chunks cut it", async () => {
    const dump = `${HEADER}\\restrict abc123\n\nCOPY t FROM stdin;\n1\tx\n\\.\n\\unrestrict abc123\n\\! touch /tmp/pwned\n${END}`;
    const bytes = gzipSync(Buffer.from(dump));
    // Stored bytes one at a time: zlib then hands the check a few bytes at a time, cutting the line at every place.
    const { text, error } = await sent(gzipPsqlInput(Readable.from([...bytes].map((b) => Buffer.from([b]))), "loaderkey", refuse));
    expect(error).toMatch(/goes on after its closing \\unrestrict line/);
    expect(text).not.toContain("\\! touch");
  });

  it("refuses what is not a pg_dump dump, an incomplete one and a damaged gzip file", async () => {
    expect((await sent(gzipPsqlInput(stored(`SELECT 1;\n${rows()}`), "k", refuse))).error).toMatch(/^not a dump: "SELECT 1;/);
    expect((await sent(gzipPsqlInput(stored(`${HEADER}COPY t FROM stdin;\n${rows()}`), "k", refuse))).error).toMatch(/dump is incomplete/);
    const damaged = gzipSync(Buffer.from(`${HEADER}${rows()}${END}`));
    damaged[damaged.length - 5]! ^= 0xff;
    expect((await sent(gzipPsqlInput(Readable.from([damaged]), "k", refuse))).error).toMatch(/not a complete gzip file/);
  });
});
