import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { chunkCount, MAX_OBJECT_CHUNKS } from "./object-chunks";

/*
 * A filestore index: what an objects-layout filestore holds, one JSON line per file or symbolic link, between a
 * format line and an end line carrying the totals (an index without it was cut short). Stored gzipped (and
 * encrypted with the backup) through the ordinary artifact pipeline, so it is covered by the signed manifest; a
 * reader still treats every line as hostile.
 */

export const INDEX_FORMAT = "safehold-filestore-index/1";
/** The longest line a reader accepts: a path of up to 4096 bytes with `MAX_OBJECT_CHUNKS` chunk hashes fits well. */
export const MAX_INDEX_LINE = 512 * 1024;

/** A relative path that stays inside the folder: no absolute path, no `.`/`..` or empty part, no NUL. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 4096 || path.includes("\0") || path.startsWith("/")) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

const safePath = z.string().refine(isSafeRelativePath, "an unsafe path (absolute, through .., empty or with NUL)");
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const mode = z.number().int().min(0).max(0o7777);
const mtime = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const fileLine = z.strictObject({
  path: safePath,
  size: count,
  mtime,
  mode,
  /** The object's id: the content's sha1 (plain) or its keyed name (encrypted). */
  object: z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/),
  /** The content's sha1 (what an encrypted object's key derives from) and sha256 (what every read checks). */
  sha1: z.string().regex(/^[0-9a-f]{40}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The sha256 of each chunk, for a file larger than one chunk (absent in indexes written before they were kept). */
  chunks: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(MAX_OBJECT_CHUNKS).optional(),
});
const symlinkLine = z.strictObject({
  path: safePath,
  target: z.string().min(1).max(4096).refine((t) => !t.includes("\0"), "a link target with NUL"),
  mtime,
  mode,
});
const endLine = z.strictObject({ end: z.literal(true), files: count, bytes: count });

export type IndexFile = z.infer<typeof fileLine>;
export type IndexSymlink = z.infer<typeof symlinkLine>;
export type IndexEntry = ({ type: "file" } & IndexFile) | ({ type: "symlink" } & IndexSymlink);

/** An index that is not a complete, well-formed filestore index. */
export class IndexError extends Error {
  override name = "IndexError";
}

/** Writes an index as a stream of JSON lines, waiting whenever its reader falls behind. */
export class FilestoreIndexWriter {
  readonly stream = new PassThrough();
  private files = 0;
  private bytes = 0;

  constructor() {
    // The writer's failure is reported by whoever wrote the entries; the index's reader sees it as its own error.
    this.stream.on("error", () => {});
    this.stream.write(`${JSON.stringify({ format: INDEX_FORMAT })}\n`);
  }

  async add(entry: IndexEntry): Promise<void> {
    const { type, ...line } = entry;
    if (type === "file") {
      this.files += 1;
      this.bytes += entry.size;
    }
    await this.write(line);
  }

  /** Writes the end line and ends the stream. */
  async end(): Promise<{ files: number; bytes: number }> {
    await this.write({ end: true, files: this.files, bytes: this.bytes });
    this.stream.end();
    return { files: this.files, bytes: this.bytes };
  }

  private async write(line: object): Promise<void> {
    if (this.stream.destroyed) throw new IndexError("The filestore index stopped being stored");
    // A reader that stops (its storage failed) closes the stream: waiting for "drain" alone would wait forever.
    if (!this.stream.write(`${JSON.stringify(line)}\n`)) await Promise.race([once(this.stream, "drain"), once(this.stream, "close")]);
  }
}

/** The lines of a byte stream, refusing any longer than `MAX_INDEX_LINE` (never holding more than one). */
async function* lines(content: Readable): AsyncGenerator<string> {
  // A decoder keeps a character split between two chunks whole.
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of content) {
    pending += decoder.write(chunk as Buffer);
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_INDEX_LINE) throw new IndexError(`The filestore index has a line longer than ${MAX_INDEX_LINE} bytes`);
  }
  pending += decoder.end();
  if (pending.length > 0) throw new IndexError("The filestore index ends in the middle of a line: it was cut short");
}

function parseLine(text: string, number: number): unknown {
  if (text.length > MAX_INDEX_LINE) throw new IndexError(`The filestore index has a line longer than ${MAX_INDEX_LINE} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new IndexError(`Line ${number} of the filestore index is not JSON`);
  }
}

function problemOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "line"}: ${issue.message}` : "invalid";
}

/**
 * Reads an index as it streams, yielding each entry once its line is checked: the format line first, safe relative
 * paths, whole non-negative sizes, and the end line last, whose totals must be those of the lines before it. A
 * hostile or cut-short index makes the iteration throw an `IndexError` naming the line.
 */
export async function* readFilestoreIndex(content: Readable): AsyncGenerator<IndexEntry> {
  let number = 0;
  let files = 0;
  let bytes = 0;
  let ended = false;
  for await (const text of lines(content)) {
    number += 1;
    const value = parseLine(text, number) as Record<string, unknown> | null;
    if (number === 1) {
      if (typeof value !== "object" || value === null || value.format !== INDEX_FORMAT) throw new IndexError(`The filestore index does not begin with the ${INDEX_FORMAT} format line`);
      continue;
    }
    if (ended) throw new IndexError(`The filestore index has line ${number} after its end line`);
    if (typeof value === "object" && value !== null && "end" in value) {
      const end = endLine.safeParse(value);
      if (!end.success) throw new IndexError(`The end line of the filestore index is invalid (${problemOf(end.error)})`);
      if (end.data.files !== files || end.data.bytes !== bytes) {
        throw new IndexError(`The filestore index lists ${files} files of ${bytes} bytes, but its end line says ${end.data.files} files of ${end.data.bytes} bytes`);
      }
      ended = true;
      continue;
    }
    const isLink = typeof value === "object" && value !== null && "target" in value;
    const parsed = isLink ? symlinkLine.safeParse(value) : fileLine.safeParse(value);
    if (!parsed.success) throw new IndexError(`Line ${number} of the filestore index is invalid (${problemOf(parsed.error)})`);
    if (isLink) {
      yield { type: "symlink", ...(parsed.data as IndexSymlink) };
    } else {
      const file = parsed.data as IndexFile;
      if (file.chunks && file.chunks.length !== chunkCount(file.size)) {
        throw new IndexError(`Line ${number} of the filestore index is invalid (chunks: ${file.chunks.length} chunk hashes for ${file.size} bytes, not ${chunkCount(file.size)})`);
      }
      files += 1;
      bytes += file.size;
      if (!Number.isSafeInteger(bytes)) throw new IndexError("The filestore index's sizes add up beyond what can be counted");
      yield { type: "file", ...file };
    }
  }
  if (number === 0) throw new IndexError("The filestore index is empty");
  if (!ended) throw new IndexError("The filestore index has no end line: it was cut short");
}
