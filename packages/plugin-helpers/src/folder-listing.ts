import type { FileSetEntry, ServerConnection } from "@safehold/plugin-api";
import type { FolderWording } from "./folder-wording";
import { shownName, strictUtf8, unsafeRelativePath } from "./relative-path";
import { commandError } from "./server-commands";

/**
 * One record per file or symbolic link: type, size, mtime (whole seconds), permission bits (octal), path relative
 * to the folder, link target (empty for files), each ended by a NUL, the one byte no name can hold.
 */
const FIELDS = ["%y", "%s", "%Ts", "%m", "%P", "%l"];
/** No record of an honest listing comes near this (a path and a link target, 4096 bytes each at most): a longer one is refused, not buffered. */
const MAX_RECORD_BYTES = 64 * 1024;
const STDERR_LIMIT = 8 * 1024;

/**
 * Every file and symbolic link under `folder`, streamed from one `find` as it prints them. `-H` reads the folder
 * through a link as tar's `-C` does; files vanishing while find walks (a live filestore) are not errors.
 */
export async function* listFolder(server: ServerConnection, folder: string, words: FolderWording, signal: AbortSignal): AsyncGenerator<FileSetEntry> {
  signal.throwIfAborted();
  const args = ["-H", folder, "-mindepth", "1", "-ignore_readdir_race", "(", "-type", "f", "-o", "-type", "l", ")", "-printf", FIELDS.map((f) => `${f}\\0`).join("")];
  // LC_ALL=C: find's own messages in plain English whatever the server's locale.
  const handle = server.exec("find", args, { signal, env: { LC_ALL: "C" } });
  handle.exit.catch(() => {});
  let stderr = "";
  handle.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
  });
  const records = new NulRecords(FIELDS.length);
  let complete = false;
  try {
    // Not destroyed on an early stop: it is drained instead, so the killed command's end is seen on every kind.
    for await (const chunk of handle.stdout.iterator({ destroyOnReturn: false })) {
      for (const record of records.feed(chunk as Buffer)) yield entryOf(record, words, folder);
      if (records.pendingBytes > MAX_RECORD_BYTES) throw malformed(words, folder, "an entry is too long");
    }
    const exit = await handle.exit;
    complete = true;
    signal.throwIfAborted();
    if (exit.code !== 0) throw new Error(`Listing the ${words.folder} ${folder} failed: ${commandError("find", { ...exit, stderr: stderr.trim() })}`);
    if (records.pendingBytes > 0) throw malformed(words, folder, "it ends in the middle of an entry");
  } finally {
    // The reader stopped early (or the listing was refused): find has nothing more to do.
    if (!complete) {
      handle.kill();
      handle.stdout.resume();
    }
  }
}

/** Splits a byte stream into records of `width` NUL-ended fields, as its chunks arrive. */
class NulRecords {
  private partial: Buffer[] = [];
  private record: Buffer[] = [];
  /** Bytes received that no complete record holds yet. */
  pendingBytes = 0;

  constructor(private readonly width: number) {}

  *feed(chunk: Buffer): Generator<Buffer[]> {
    let start = 0;
    for (let end = chunk.indexOf(0, start); end !== -1; end = chunk.indexOf(0, start)) {
      const piece = chunk.subarray(start, end);
      this.record.push(this.partial.length > 0 ? Buffer.concat([...this.partial, piece]) : piece);
      this.partial = [];
      start = end + 1;
      if (this.record.length === this.width) {
        yield this.record;
        this.record = [];
      }
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    this.pendingBytes = this.record.reduce((sum, field) => sum + field.length + 1, 0) + this.partial.reduce((sum, piece) => sum + piece.length, 0);
  }
}

function malformed(words: FolderWording, folder: string, what: string): Error {
  return new Error(`The listing of the ${words.folder} ${folder} is not what GNU find prints (${what}): refusing it`);
}

/** A record as an entry, refused when its name is not UTF-8, its path leaves the folder or a field is not a number. */
function entryOf([type, size, mtime, mode, path, target]: Buffer[], words: FolderWording, folder: string): FileSetEntry {
  const name = strictUtf8(path!);
  if (name === null) throw new Error(`The ${words.folder} ${folder} holds ${shownName(path!)}, whose name is not valid UTF-8: rename it to back it up`);
  const unsafe = unsafeRelativePath(name);
  if (unsafe) throw new Error(`The listing of the ${words.folder} ${folder} names ${shownName(name)} (${unsafe}): refusing it`);
  const number = (field: Buffer, pattern: RegExp, radix: number, what: string) => {
    const text = field.toString("latin1");
    const value = pattern.test(text) ? parseInt(text, radix) : NaN;
    if (!Number.isSafeInteger(value)) throw malformed(words, folder, `${what} ${shownName(field)} for ${shownName(name)}`);
    return value;
  };
  const common = { path: name, mtime: number(mtime!, /^-?\d{1,16}$/, 10, "mtime"), mode: number(mode!, /^[0-7]{1,6}$/, 8, "mode") };
  switch (type!.toString("latin1")) {
    case "f":
      if (target!.length > 0) throw malformed(words, folder, `a link target for the file ${shownName(name)}`);
      return { type: "file", ...common, size: number(size!, /^\d{1,16}$/, 10, "size") };
    case "l": {
      const linkTarget = strictUtf8(target!);
      if (linkTarget === null || linkTarget === "") throw new Error(`The ${words.folder} ${folder} holds the symbolic link ${shownName(name)} to ${shownName(target!)}, which is not a valid UTF-8 name`);
      return { type: "symlink", ...common, target: linkTarget };
    }
    default:
      throw malformed(words, folder, `type ${shownName(type!)} for ${shownName(name)}`);
  }
}
