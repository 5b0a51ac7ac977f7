import { Readable } from "node:stream";
import { decodeCopyField, encodeCopyField, parseCopyHeader } from "./erasure-copy-format";
import { MAX_FINDING_ROUNDS, MESSAGE_FINDERS, PEOPLE_FINDERS, REWRITES, tooManyRounds, type Rewrite } from "./erasure-rules";
import { ErasureSets, type RowValues } from "./erasure-sets";
import { parseSubjects } from "./erasure-subjects";

/** A COPY row is one line; a longer one than this is refused rather than held (JavaScript strings stop near 512 MiB). */
const MAX_LINE = 256 * 1024 * 1024;
const FLUSH_BYTES = 64 * 1024;
const END_OF_DATA = "\\.";

const RULE_TABLES = new Set([...PEOPLE_FINDERS, ...MESSAGE_FINDERS, ...REWRITES].map((r) => r.table));

/** The dump's lines, without their newline; memory holds one line at most. */
async function* lines(input: Readable, signal: AbortSignal): AsyncGenerator<Buffer> {
  let pieces: Buffer[] = [];
  let pending = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const tail = chunk.subarray(start, nl);
      yield pending ? Buffer.concat([...pieces, tail]) : tail;
      pieces = [];
      pending = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      pieces.push(chunk.subarray(start));
      pending += chunk.length - start;
      if (pending > MAX_LINE) throw new Error("The database dump has a line longer than 256 MiB: erasure cannot rewrite it");
    }
  }
  if (pending) yield Buffer.concat(pieces);
}

type Block = { table: string; columns: Map<string, number> };

type Line = { text: Buffer; block: Block | null; fields: string[] | null };

/** Refuses what the rewriting cannot read: table data as INSERT statements, a dump in another encoding than UTF-8. */
function checkStatement(line: Buffer): void {
  if (line.length < 16 || (line[0] !== 0x49 && line[0] !== 0x53)) return;
  const text = line.subarray(0, 200).toString("utf8");
  const insert = /^INSERT INTO (?:public\.)?"?([A-Za-z0-9_]+)"?[ (]/.exec(text);
  if (insert && RULE_TABLES.has(insert[1]!)) {
    throw new Error(`The database dump holds table ${insert[1]} as INSERT statements: erasure rewrites pg_dump's COPY data only`);
  }
  const encoding = /^SET client_encoding = '([^']*)';/.exec(text);
  if (encoding && encoding[1]!.toUpperCase().replace(/[-_]/g, "") !== "UTF8") {
    throw new Error(`The database dump is in the ${encoding[1]} encoding: erasure reads UTF-8 dumps only (Odoo's databases are UTF-8)`);
  }
}

/** Walks a dump, giving each line with its COPY block (when it is a data row of one of `tables`, its fields). */
async function* walk(input: Readable, tables: Set<string>, signal: AbortSignal): AsyncGenerator<Line> {
  let block: Block | null = null;
  let inCopy = false;
  for await (const text of lines(input, signal)) {
    if (inCopy) {
      if (text.length === 2 && text.toString("latin1") === END_OF_DATA) {
        inCopy = false;
        block = null;
        yield { text, block: null, fields: null };
        continue;
      }
      if (!block) {
        yield { text, block: null, fields: null };
        continue;
      }
      const fields = text.toString("utf8").split("\t");
      if (fields.length !== block.columns.size) {
        throw new Error(`The database dump has a row of table ${block.table} with ${fields.length} fields where its COPY names ${block.columns.size} columns`);
      }
      yield { text, block, fields };
      continue;
    }
    if (text[0] === 0x43 && text.subarray(0, 5).toString("latin1") === "COPY ") {
      const header = parseCopyHeader(text.toString("utf8"));
      if (!header) throw new Error(`The database dump has a COPY statement erasure cannot read: ${text.subarray(0, 120).toString("utf8")}`);
      inCopy = true;
      if (header.schema === "public" && tables.has(header.table)) block = { table: header.table, columns: new Map(header.columns.map((c, i) => [c, i])) };
    } else checkStatement(text);
    yield { text, block: null, fields: null };
  }
  if (inCopy) throw new Error("The database dump ends inside table data: it is incomplete");
}

function rowOf(block: Block, fields: string[]): RowValues {
  return (column) => {
    const at = block.columns.get(column);
    return at === undefined ? undefined : decodeCopyField(fields[at]!);
  };
}

/**
 * One reading pass: the rows of the people's tables and of the messages' are offered to the sets (messages are
 * never kept for later: they are final in the round that changes nothing), and the file rule's rows visited.
 */
async function findIn(input: Readable, signal: AbortSignal, sets: ErasureSets, visit: { rule: Rewrite; row: (row: RowValues) => void }): Promise<void> {
  const people = new Map(PEOPLE_FINDERS.map((f) => [f.table, f]));
  const messages = new Map(MESSAGE_FINDERS.map((f) => [f.table, f]));
  const tables = new Set([...people.keys(), ...messages.keys(), visit.rule.table]);
  for await (const { block, fields } of walk(input, tables, signal)) {
    if (!block || !fields) continue;
    const row = rowOf(block, fields);
    const finder = people.get(block.table) ?? messages.get(block.table);
    if (finder) sets.offer(finder, row, people.has(block.table));
    if (visit.rule.table === block.table) visit.row(row);
  }
}

function rewritten(rule: Rewrite, block: Block, fields: string[], row: RowValues): Buffer {
  const out = [...fields];
  for (const [column, value] of Object.entries(rule.replace ?? {})) {
    const at = block.columns.get(column);
    if (at === undefined) continue;
    out[at] = value === false ? "f" : encodeCopyField(value === null ? null : value.replace("{id}", row("id") ?? ""));
  }
  return Buffer.from(out.join("\t"), "utf8");
}

export type ErasedDump = {
  /** The dump with the erased people's rows rewritten or removed. */
  dump: Readable;
  /**
   * The filestore files (`xx/<sha1>`, relative to the filestore folder, as Odoo's ir_attachment.store_fname names
   * them) an export must leave out: those of the emptied attachments that no kept attachment shares. Settles once
   * `dump` has been read to its end (Odoo's zips put dump.sql before the filestore).
   */
  erasedFiles: Promise<ReadonlySet<string>>;
};

/**
 * Applies the project's erasure list (emails, record references) to a plain pg_dump, as a stream. Reading passes
 * find the people (partners, users, employees, leads), their messages and attachments, until a pass learns
 * nothing new (usually two: the second confirms the first); a last one streams the dump with their COPY rows
 * rewritten by the same rules a restored copy gets (erasure-rules.ts). Memory holds id sets and addresses, never the dump.
 */
export async function eraseDump(open: () => Promise<Readable>, subjects: string[], signal: AbortSignal): Promise<ErasedDump> {
  const parsed = parseSubjects(subjects);
  if (parsed.addresses.length === 0 && Object.keys(parsed.records).length === 0) return { dump: await open(), erasedFiles: Promise.resolve(new Set()) };
  const sets = new ErasureSets(parsed);
  const fileRule = REWRITES.find((r) => r.file)!;
  const candidates = new Set<string>();
  const visit = {
    rule: fileRule,
    row: (row: RowValues) => {
      const file = row(fileRule.file!);
      if (file && sets.touches(fileRule, row)) candidates.add(file);
    },
  };
  for (let round = 1, before = -1; sets.progress() !== before; round++) {
    if (round > MAX_FINDING_ROUNDS) throw tooManyRounds();
    before = sets.progress();
    await findIn(await open(), signal, sets, visit);
    sets.settle();
  }

  const input = await open();
  const shared = new Set<string>();
  let settle!: (files: ReadonlySet<string>) => void;
  let fail!: (err: unknown) => void;
  const erasedFiles = new Promise<ReadonlySet<string>>((resolve, reject) => ((settle = resolve), (fail = reject)));
  erasedFiles.catch(() => {});
  const rules = new Map(REWRITES.map((r) => [r.table, r]));

  async function* output(): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [];
    let size = 0;
    try {
      for await (const { text, block, fields } of walk(input, new Set(rules.keys()), signal)) {
        let line: Buffer | null = text;
        if (block && fields) {
          const rule = rules.get(block.table)!;
          const row = rowOf(block, fields);
          if (sets.touches(rule, row)) line = rule.remove ? null : rewritten(rule, block, fields, row);
          else if (rule.file) {
            const file = row(rule.file);
            if (file && candidates.has(file)) shared.add(file);
          }
        }
        if (line === null) continue;
        batch.push(line, NEWLINE);
        size += line.length + 1;
        if (size >= FLUSH_BYTES) {
          yield Buffer.concat(batch, size);
          batch = [];
          size = 0;
        }
      }
      if (size) yield Buffer.concat(batch, size);
      settle(new Set([...candidates].filter((f) => !shared.has(f))));
    } catch (err) {
      fail(err);
      throw err;
    } finally {
      input.destroy();
      fail(new Error("The erased dump was not read to its end"));
    }
  }
  return { dump: Readable.from(output(), { objectMode: false }), erasedFiles };
}

const NEWLINE = Buffer.from("\n");

/** The dump with the erasure list applied (see `eraseDump`; an export also needs its `erasedFiles`). */
export async function eraseFromDump(open: () => Promise<Readable>, subjects: string[], signal: AbortSignal): Promise<Readable> {
  return (await eraseDump(open, subjects, signal)).dump;
}
