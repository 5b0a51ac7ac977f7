/**
 * Counts the rows of every table in a plain SQL dump (pg_dump's format) from its own `COPY … FROM stdin;` blocks,
 * as the dump streams past: each line of a block is one row (newlines inside values are written `\n`), the block
 * ends at a line that is exactly `\.` (a backslash in data is written `\\`, so data never looks like it).
 * Lines are never held whole: only the first bytes (the table name) and the last bytes (`FROM stdin;`) of a line
 * outside a block, and the first two bytes of a line inside one.
 */
const HEAD_LIMIT = 4096;
const TAIL_LIMIT = 16;
const COPY = Buffer.from("COPY ");
const FROM_STDIN = " FROM stdin;";
const END_OF_DATA = Buffer.from("\\.");

export class CopyRowCounter {
  private readonly tables: Record<string, number> = {};
  /** The table whose COPY block the stream is in, or null between blocks. */
  private current: string | null = null;
  private head = Buffer.alloc(HEAD_LIMIT);
  private headLength = 0;
  private tail = Buffer.alloc(0);
  private lineLength = 0;

  update(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      // Inside a block, whole lines are only counted: one native search and one comparison per row.
      if (this.current !== null && this.lineLength === 0) start = this.countRows(chunk, start);
      if (start >= chunk.length) return;
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk, start, end);
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /**
   * Counts the complete lines of the current block from `start` (a line start), up to and including its `\.` line
   * when it is in this chunk. Returns where counting stopped: after the block's end, or at a line the chunk cuts.
   */
  private countRows(chunk: Buffer, start: number): number {
    let rows = 0;
    let at = start;
    for (;;) {
      const newline = chunk.indexOf(10, at);
      if (newline === -1) break;
      if (newline - at === 2 && chunk[at] === 0x5c && chunk[at + 1] === 0x2e) {
        this.tables[this.current!]! += rows;
        this.current = null;
        return newline + 1;
      }
      rows += 1;
      at = newline + 1;
    }
    this.tables[this.current!]! += rows;
    return at;
  }

  /** Rows per table, as the COPY statements name them (schema-qualified). */
  result(): Record<string, number> {
    return { ...this.tables };
  }

  private take(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    const limit = this.current === null ? HEAD_LIMIT : END_OF_DATA.length + 1;
    if (this.headLength < limit) {
      const copied = chunk.copy(this.head, this.headLength, start, Math.min(end, start + limit - this.headLength));
      this.headLength += copied;
    }
    if (this.current === null) {
      const last = chunk.subarray(Math.max(start, end - TAIL_LIMIT), end);
      this.tail = Buffer.concat([this.tail, last]).subarray(-TAIL_LIMIT);
    }
    this.lineLength += end - start;
  }

  private endLine(): void {
    if (this.current !== null) {
      if (this.lineLength === END_OF_DATA.length && this.head.subarray(0, 2).equals(END_OF_DATA)) this.current = null;
      else this.tables[this.current]! += 1;
    } else if (this.headLength > COPY.length && this.head.subarray(0, COPY.length).equals(COPY) && this.tail.toString("latin1").endsWith(FROM_STDIN)) {
      const name = tableName(this.head.subarray(COPY.length, this.headLength).toString("utf8"));
      if (name) {
        this.current = name;
        this.tables[name] ??= 0;
      }
    }
    this.headLength = 0;
    this.lineLength = 0;
    this.tail = Buffer.alloc(0);
  }
}

/** The (possibly quoted, schema-qualified) table name at the start of `text`, as written: `public."Order Line"`. */
export function tableName(text: string): string | null {
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"') {
          if (text[i + 1] === '"') i += 2;
          else break;
        } else i++;
      }
      i++;
    } else {
      const start = i;
      while (i < text.length && /[^\s.(]/.test(text[i]!)) i++;
      if (i === start) return null;
    }
    if (text[i] !== ".") break;
    i++;
  }
  return text.slice(0, i);
}
