import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gzipSync } from "node:zlib";
import { describeStart, isPgDumpStart, PG_DUMP_HEADER } from "./dump-header";

const NEWLINE = 0x0a;
const HEAD_LIMIT = 4096;
const DUMP_RESTRICT = /^\\restrict (\S+)$/;
const DUMP_COMPLETE = /-- PostgreSQL database dump complete\s*(?:--\s*|\\unrestrict \S+\s*)*$/;
const TAIL_BYTES = 4096;

/** What the start of a dump decides: refused, or the dump's own `\restrict` key (null when it has none). */
type Head = { problem: string } | { key: string | null };

function readHead(start: Buffer, refuse: (start: string) => string): Head | null {
  if (start.length < PG_DUMP_HEADER.length) return null;
  if (!isPgDumpStart(start)) return { problem: refuse(describeStart(start)) };
  let lineStart = PG_DUMP_HEADER.length;
  while (start[lineStart] === NEWLINE) lineStart++;
  const lineEnd = start.indexOf(NEWLINE, lineStart);
  if (lineEnd === -1) return start.length >= HEAD_LIMIT ? { key: null } : null;
  return { key: DUMP_RESTRICT.exec(start.subarray(lineStart, lineEnd).toString("utf8"))?.[1] ?? null };
}

/** Whether every byte is blank (newline, space, tab, carriage return). */
const isBlank = (bytes: Buffer) => bytes.every((byte) => byte === NEWLINE || byte === 0x20 || byte === 0x09 || byte === 0x0d);

/**
 * Checks a plain dump as it is decompressed: its header, its own `\restrict` key, that nothing but blank lines
 * follows the dump's `\unrestrict <key>` line (the only way out of restricted mode its key gives), and that it ends
 * with pg_dump's "dump complete" line. The closing line is found by searching for "\n\unrestrict <key>\n" with
 * Buffer.indexOf, across chunk boundaries: a byte-by-byte scan cost 2.5 s of worker CPU for a 170 MB dump.
 */
class DumpWatch {
  head: Head | null = null;
  private start: Buffer | null = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  private closing: Buffer | null = null;
  /** The stream's last bytes before this chunk, one short of a closing line: a match may straddle two chunks. */
  private carry = Buffer.alloc(0);
  private unrestricted = false;

  constructor(private readonly refuse: (start: string) => string) {}

  /** Takes decompressed bytes; returns why the dump must not be loaded, or null. */
  update(chunk: Buffer): string | null {
    if (this.start) {
      this.start = Buffer.concat([this.start, chunk]);
      this.head = readHead(this.start, this.refuse);
      if (!this.head) return null;
      chunk = this.start;
      this.start = null;
    }
    if ("problem" in this.head!) return this.head.problem;
    this.tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(-TAIL_BYTES)) : Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
    const key = this.head!.key;
    if (!key) return null;
    return this.unrestricted ? this.afterClosing(chunk) : this.findClosing(chunk, (this.closing ??= Buffer.from(`\n\\unrestrict ${key}\n`)));
  }

  private findClosing(chunk: Buffer, closing: Buffer): string | null {
    const straddle = Buffer.concat([this.carry, chunk.subarray(0, closing.length - 1)]);
    const across = straddle.indexOf(closing);
    if (across !== -1) {
      this.unrestricted = true;
      return this.afterClosing(chunk.subarray(across + closing.length - this.carry.length));
    }
    const within = chunk.indexOf(closing);
    if (within !== -1) {
      this.unrestricted = true;
      return this.afterClosing(chunk.subarray(within + closing.length));
    }
    const keep = closing.length - 1;
    this.carry = chunk.length >= keep ? Buffer.from(chunk.subarray(-keep)) : Buffer.concat([this.carry, chunk]).subarray(-keep);
    return null;
  }

  private afterClosing(rest: Buffer): string | null {
    return isBlank(rest) ? null : "The database dump goes on after its closing \\unrestrict line: it was not loaded (a hostile client database may have put it there)";
  }

  /** Why the dump, now ended, must not be loaded, or null. */
  end(): string | null {
    if (this.start) this.head = this.start.length < PG_DUMP_HEADER.length ? { problem: this.refuse(describeStart(this.start)) } : readHead(Buffer.concat([this.start, Buffer.from("\n")]), this.refuse);
    if (this.head && "problem" in this.head) return this.head.problem;
    if (!DUMP_COMPLETE.test(this.tail.toString("utf8"))) return "The database dump is incomplete: it does not end with pg_dump's \"dump complete\" line";
    return null;
  }
}

/**
 * psql's input for a gzip-compressed plain dump that the server decompresses: the stored gzip bytes as they are,
 * each chunk passed on only once its decompressed content was checked here (so psql never reads a line the
 * console has not seen). psql's meta-commands stay locked: by the dump's own `\restrict` key (nothing may follow
 * its closing `\unrestrict`), or, for a dump without one, by the loader's `\restrict <key>`, sent first as a gzip
 * member of its own (gunzip reads concatenated members as one stream).
 */
export function gzipPsqlInput(content: Readable, loaderKey: string, refuse: (start: string) => string): Transform {
  // 1 MiB output chunks: zlib's 16 KiB default makes 64 times the round trips to the thread pool.
  const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
  const watch = new DumpWatch(refuse);
  let held: Buffer[] | null = [];
  let refused: Error | null = null;
  const side = pipeline(
    gunzip,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        const problem = watch.update(chunk);
        if (problem) refused ??= new Error(problem);
        done(refused);
      },
      final(done) {
        const problem = watch.end();
        done(problem ? new Error(problem) : null);
      },
    }),
  );
  /** Once the head is known, what was held goes out, after the loader's own `\restrict` when the dump has none. */
  const release = (out: Transform) => {
    if (!held || !watch.head || "problem" in watch.head) return;
    // A blank line stands in for the loader's line when the dump locks itself: psql's line numbers stay one ahead of the dump's either way.
    out.push(gzipSync(watch.head.key ? "\n" : `\\restrict ${loaderKey}\n`));
    for (const chunk of held) out.push(chunk);
    held = null;
  };
  const gate: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      gunzip.write(chunk, () => {
        // The chunk's decompressed bytes have reached the watch by now: a refused chunk never goes on.
        if (refused) return done(refused);
        if (gate.destroyed) return;
        if (held) {
          held.push(chunk);
          release(gate);
          return done();
        }
        done(null, chunk);
      });
    },
    flush(done) {
      gunzip.end();
      side.then(() => {
        release(gate);
        done();
      }, done);
    },
    destroy(err, done) {
      gunzip.destroy();
      done(err);
    },
  });
  side.catch((err: NodeJS.ErrnoException) => gate.destroy(err.code?.startsWith("Z_") ? new Error(`The stored database file is damaged: it is not a complete gzip file (${err.message})`) : err));
  content.once("error", (err) => gate.destroy(err));
  return content.pipe(gate);
}
