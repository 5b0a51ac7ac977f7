import { Transform } from "node:stream";
import { describeStart, isPgDumpStart, PG_DUMP_HEADER } from "./dump-header";

const NEWLINE = 0x0a;
/** The dump's own `\restrict` line sits right after the header; this bounds how much of the start is held. */
const HEAD_LIMIT = 4096;
/** pg_dump's own `\restrict KEY` line, as pg_dump 13.22 / 14.19 / 15.14 / 16.10 / 17.6 and later write it. */
const DUMP_RESTRICT = /^\\restrict (\S+)$/;

/**
 * Blanks every line that is exactly `line` (keeping its newline, so psql's line numbers stay the dump's), across
 * chunk boundaries. Lines are found by searching for "\n<line>\n"; a virtual newline before the first byte makes
 * the first line count too. Only a line end that may start a match is held back between chunks.
 */
class LineBlanker {
  private readonly needle: Buffer;
  private carry = Buffer.from("\n");
  /** Bytes at the start of `carry` that are not part of the stream (the virtual newline). */
  private skip = 1;

  constructor(line: string) {
    this.needle = Buffer.from(`\n${line}\n`);
  }

  process(chunk: Buffer): Buffer[] {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const out: Buffer[] = [];
    let from = this.skip;
    for (let at = data.indexOf(this.needle); at !== -1; at = data.indexOf(this.needle, at + 1)) {
      // Keep the newline ending the line before; drop the line's text; its own newline starts the next segment.
      out.push(data.subarray(from, at + 1));
      from = at + this.needle.length - 1;
    }
    const keep = this.possibleStart(data);
    out.push(data.subarray(from, Math.max(from, keep)));
    // Held back: a possible start of the line; its first bytes may be the virtual newline, never emitted.
    this.carry = Buffer.from(data.subarray(keep));
    this.skip = Math.max(0, from - keep);
    return out.filter((b) => b.length > 0);
  }

  /** What is left at the end of the stream: a last line without a newline is blanked too. */
  end(): Buffer {
    const rest = this.carry.subarray(this.skip);
    return this.needle.subarray(0, -1).equals(this.carry) ? Buffer.from("\n").subarray(this.skip) : rest;
  }

  /** Where a match could begin in the tail of `data` (its length when none can). */
  private possibleStart(data: Buffer): number {
    for (let i = data.indexOf(NEWLINE, Math.max(0, data.length - this.needle.length + 1)); i !== -1; i = data.indexOf(NEWLINE, i + 1)) {
      const tail = data.subarray(i);
      if (this.needle.subarray(0, tail.length).equals(tail)) return i;
    }
    return data.length;
  }
}

/**
 * Turns a plain-SQL dump into psql input with meta-commands locked. The loader's own `\restrict <key>` comes
 * first; the dump must begin with pg_dump's header; the dump's own `\restrict` line (in its header) is blanked,
 * and so is every `\unrestrict` line with that same key, so the only way out of restricted mode is the loader's
 * key, which the dump cannot know. Any other meta-command in the dump then fails psql. Nothing else is touched:
 * a `\restrict` line further down (say inside COPY data) passes as it is.
 */
export function restrictDump(key: string, refuse: (start: string) => string): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  let blanker: LineBlanker | null = null;

  /** Once the header and the line after it are in: check the header, find the dump's key, emit what is held. */
  function openHead(start: Buffer, push: (b: Buffer) => void): void {
    if (!isPgDumpStart(start)) throw new Error(refuse(describeStart(start)));
    push(Buffer.from(`\\restrict ${key}\n`));
    let lineStart = PG_DUMP_HEADER.length;
    while (start[lineStart] === NEWLINE) lineStart++;
    const lineEnd = start.indexOf(NEWLINE, lineStart);
    const dumpKey = lineEnd === -1 ? null : DUMP_RESTRICT.exec(start.subarray(lineStart, lineEnd).toString("utf8"))?.[1];
    if (!dumpKey) return push(start);
    push(start.subarray(0, lineStart));
    blanker = new LineBlanker(`\\unrestrict ${dumpKey}`);
    for (const part of blanker.process(start.subarray(lineEnd))) push(part);
  }

  /** The header is complete, with the first line after it (or more than a header's worth of bytes is held). */
  function headIsComplete(start: Buffer): boolean {
    if (start.length >= HEAD_LIMIT) return true;
    if (start.length < PG_DUMP_HEADER.length) return false;
    let lineStart = PG_DUMP_HEADER.length;
    while (start[lineStart] === NEWLINE) lineStart++;
    return !isPgDumpStart(start) || start.indexOf(NEWLINE, lineStart) !== -1;
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        if (head) {
          head = Buffer.concat([head, chunk]);
          if (headIsComplete(head)) {
            const start = head;
            head = null;
            openHead(start, (b) => this.push(b));
          }
        } else if (blanker) {
          for (const part of blanker.process(chunk)) this.push(part);
        } else {
          this.push(chunk);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        if (head) {
          if (head.length < PG_DUMP_HEADER.length) throw new Error(refuse(describeStart(head)));
          openHead(head, (b) => this.push(b));
        }
        const rest = (blanker as LineBlanker | null)?.end();
        done(null, rest?.length ? rest : undefined);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
