import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { FileSet, FileSetContent, FileSetEntry } from "@safehold/plugin-api";
import type { Db } from "@/server/db";
import { RunFailure } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { isSafeRelativePath, type FilestoreIndexWriter, type IndexEntry } from "./filestore-index";
import { asObjectWriter } from "./location-lock";
import { encryptedObjectId, objectContentKey } from "./object-cipher";
import { dropReference, markStored, projectObjects, referenceObjects, reserveObject, storedObjects, type KnownObject, type ObjectScope } from "./object-catalog";
import { filestoreObjectKey } from "./object-key";
import { ContentMismatch, hashContent, putObject, readBackObject, type ContentDigest } from "./object-writer";
import { TaskPool } from "./task-pool";

/** Files read per command on the server, and the most bytes one batch reads. */
export const BATCH_FILES = 1000;
export const BATCH_BYTES = 256 * 1024 * 1024;
/** Objects read back at the same time as the next files are stored. */
const READ_BACKS = 4;
/**
 * Files up to this size are taken into memory as they arrive and written beside the next ones, at most `PUTS` at a
 * time: a storage's per-object latency, not the link, is what bounds a first backup of many small files. Memory
 * stays at about `PUTS` small files.
 */
const SMALL_FILE = 1024 * 1024;
const PUTS = 8;

/** Where and how a backup stores its files. */
export type FilesTarget = {
  db: Db;
  storage: StorageClient;
  scope: ObjectScope & { orgId: string };
  /** The organization key's id and object secret when the backup is encrypted. */
  encryption: { keyId: string; secret: Buffer } | null;
  signal: AbortSignal;
  /** Bytes of file content read from the server (progress). */
  onBytes: (n: number) => void;
};

export type FilesSummary = { files: number; bytes: number; newFiles: number; newBytes: number };

type ListedFile = Extract<FileSetEntry, { type: "file" }>;
type Resolved = { object: string; sha1: string; sha256: string; size: number; chunks: string[] | null };

/** The sha1 a file's name claims, as Odoo names them (`ab/ab12…`): its last part when that is 40 hex digits. */
export function claimedSha1(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return /^[0-9a-f]{40}$/.test(name) ? name : null;
}

/** A small file's whole content, which must be the size the server announced. */
async function takeSmall(path: string, content: FileSetContent, signal: AbortSignal): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of content.stream) {
    signal.throwIfAborted();
    size += (chunk as Buffer).length;
    if (size > content.size) break;
    parts.push(chunk as Buffer);
  }
  if (size !== content.size) throw new RunFailure("source", `The filestore file ${path} changed while it was read (${size} bytes, announced ${content.size})`);
  return Buffer.concat(parts, size);
}

/** A short size for the log line: "1.2 GB". */
function sizeText(n: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The run log's line for a stored filestore. */
export function filesSummaryLine(s: FilesSummary): string {
  return `Filestore: ${s.files} files (${sizeText(s.bytes)}); ${s.newFiles} new (${sizeText(s.newBytes)}) stored, ${s.files - s.newFiles} already stored`;
}

class FileStorer {
  private readonly readBacks = new TaskPool(READ_BACKS);
  private readonly puts = new TaskPool(PUTS);
  /** Objects this run wrote that are not marked stored yet: a second file with the same content references them. */
  private readonly writing = new Map<string, KnownObject>();
  readonly summary: FilesSummary = { files: 0, bytes: 0, newFiles: 0, newBytes: 0 };

  constructor(
    private readonly target: FilesTarget,
    private readonly files: FileSet,
    private readonly index: FilestoreIndexWriter,
  ) {}

  private objectId(sha1: string): string {
    return this.target.encryption ? encryptedObjectId(this.target.encryption.secret, sha1) : sha1;
  }

  private contentKey(sha1: string): Buffer | undefined {
    return this.target.encryption ? objectContentKey(this.target.encryption.secret, sha1) : undefined;
  }

  /** Stored objects (in the catalog or written by this run) among `ids`. */
  private async stored(ids: string[]): Promise<Map<string, KnownObject>> {
    const found = await storedObjects(this.target.db, this.target.scope.locationId, ids);
    for (const id of ids) if (!found.has(id) && this.writing.has(id)) found.set(id, this.writing.get(id)!);
    return found;
  }

  /** Reads `paths` in one command, refusing anything the server sends that was not asked for. */
  private async *read(batch: Map<string, ListedFile>, paths: string[]): AsyncGenerator<{ file: ListedFile; content: FileSetContent }> {
    const asked = new Set(paths);
    for await (const content of this.files.read(paths, { signal: this.target.signal })) {
      if (!asked.delete(content.path)) throw new RunFailure("source", `The server sent the filestore file ${content.path}, which was not asked for (or sent it twice)`);
      yield { file: batch.get(content.path)!, content };
    }
  }

  /** Writes a new object (reserved in the catalog first) and schedules its read-back; a mismatch leaves no reference. */
  private async write(file: ListedFile, content: FileSetContent, sha1: string, sha256 = ""): Promise<Resolved | ContentMismatch> {
    const { db, scope, storage, signal } = this.target;
    const id = this.objectId(sha1);
    await reserveObject(db, scope, { id, sha1, sha256, size: file.size, encryptionKeyId: this.target.encryption?.keyId ?? null });
    const key = filestoreObjectKey(scope.orgId, id);
    let put;
    try {
      put = await putObject(storage, key, { path: file.path, content: content.stream, announced: content.size }, { expectedSha1: sha1, contentKey: this.contentKey(sha1), onBytes: this.target.onBytes, signal });
    } catch (err) {
      if (!(err instanceof ContentMismatch)) throw err;
      await dropReference(db, scope, id);
      return err;
    }
    const { digest, storedSize } = put;
    this.writing.set(id, { id, sha1, sha256: digest.sha256, size: digest.size, chunks: digest.chunks });
    this.summary.newFiles += 1;
    this.summary.newBytes += digest.size;
    await this.readBacks.add(async () => {
      await readBackObject(storage, key, file.path, digest, this.contentKey(sha1), signal);
      await markStored(db, scope.locationId, { id, sha256: digest.sha256, size: digest.size, chunks: digest.chunks, storedSize });
      this.writing.delete(id);
    });
    return { object: id, sha1, sha256: digest.sha256, size: digest.size, chunks: digest.chunks };
  }

  /** Files whose content was hashed: referenced when stored already, else read again and written under their content's name. */
  private async storeByContent(batch: Map<string, ListedFile>, hashed: Array<{ file: ListedFile; digest: ContentDigest }>, resolved: Map<string, Resolved>): Promise<void> {
    const { db, scope } = this.target;
    const stored = await this.stored(hashed.map((h) => this.objectId(h.digest.sha1)));
    const toWrite = new Map<string, ContentDigest>();
    const writtenBy = new Map<string, string>();
    const sameContent: Array<{ file: ListedFile; first: string }> = [];
    for (const { file, digest } of hashed) {
      const id = this.objectId(digest.sha1);
      const known = stored.get(id);
      if (known && known.sha256 === digest.sha256 && known.size === digest.size) {
        await referenceObjects(db, scope, [id]);
        resolved.set(file.path, { object: id, ...digest });
      } else if (writtenBy.has(id)) {
        sameContent.push({ file, first: writtenBy.get(id)! });
      } else {
        toWrite.set(file.path, digest);
        writtenBy.set(id, file.path);
      }
    }
    if (toWrite.size > 0) {
      for await (const { file, content } of this.read(batch, [...toWrite.keys()])) {
        const digest = toWrite.get(file.path)!;
        const written = await this.write(file, content, digest.sha1, digest.sha256);
        if (written instanceof ContentMismatch) throw new RunFailure("source", `The filestore file ${file.path} changed while it was backed up; run the backup again`);
        resolved.set(file.path, written);
      }
    }
    for (const { file, first } of sameContent) {
      const written = resolved.get(first);
      // The first file with this content vanished before its second read: this one is read again next backup.
      if (written) resolved.set(file.path, written);
    }
  }

  /** Stores one batch of listed entries and writes their index lines, in listing order. */
  async storeBatch(entries: FileSetEntry[]): Promise<void> {
    const { db, scope } = this.target;
    const batch = new Map(entries.flatMap((e) => (e.type === "file" ? [[e.path, e] as const] : [])));
    const resolved = new Map<string, Resolved>();
    const named = [...batch.values()].flatMap((file) => {
      const sha1 = claimedSha1(file.path);
      return sha1 ? [{ file, sha1, id: this.objectId(sha1) }] : [];
    });
    // Trusted unread: the project's own backups already hold these files under these names.
    const trusted = await projectObjects(db, scope, named.map((n) => n.id));
    const trustedIds: string[] = [];
    for (const { file, sha1, id } of named) {
      const known = trusted.get(id);
      if (known && known.sha1 === sha1 && known.size === file.size) {
        resolved.set(file.path, { object: id, sha1, sha256: known.sha256, size: known.size, chunks: known.chunks });
        trustedIds.push(id);
      }
    }
    await referenceObjects(db, scope, trustedIds);

    const toRead = [...batch.keys()].filter((path) => !resolved.has(path));
    const elsewhere = await this.stored(named.filter((n) => !resolved.has(n.file.path)).map((n) => n.id));
    const hashed: Array<{ file: ListedFile; digest: ContentDigest }> = [];
    if (toRead.length > 0) {
      for await (const { file, content } of this.read(batch, toRead)) {
        const sha1 = claimedSha1(file.path);
        const known = sha1 ? elsewhere.get(this.objectId(sha1)) : undefined;
        if (!sha1 || known) {
          // Not named by its content, or another project's object: the content proves itself before it is referenced.
          hashed.push({ file, digest: await hashContent(file.path, content.stream, content.size, this.target.onBytes, this.target.signal) });
          continue;
        }
        if (content.size <= SMALL_FILE) {
          const bytes = await takeSmall(file.path, content, this.target.signal);
          const digest = { sha1: createHash("sha1").update(bytes).digest("hex"), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, chunks: null };
          if (digest.sha1 !== sha1) {
            this.target.onBytes(bytes.length);
            hashed.push({ file, digest });
            continue;
          }
          await this.puts.add(async () => {
            const written = await this.write(file, { ...content, stream: Readable.from([bytes]) }, sha1, digest.sha256);
            if (!(written instanceof ContentMismatch)) resolved.set(file.path, written);
          });
          continue;
        }
        const written = await this.write(file, content, sha1);
        if (written instanceof ContentMismatch) hashed.push({ file, digest: written.digest });
        else resolved.set(file.path, written);
      }
    }
    await this.puts.drain();
    await this.storeByContent(batch, hashed, resolved);

    for (const entry of entries) {
      if (entry.type === "symlink") {
        await this.index.add({ type: "symlink", path: entry.path, target: entry.target, mtime: entry.mtime, mode: entry.mode });
        continue;
      }
      const done = resolved.get(entry.path);
      // A file removed since the listing is left out, as a tar made a moment later would leave it out.
      if (!done) continue;
      this.summary.files += 1;
      this.summary.bytes += done.size;
      const { chunks, ...content } = done;
      const entryLine: IndexEntry = { type: "file", path: entry.path, mtime: entry.mtime, mode: entry.mode, ...content, ...(chunks ? { chunks } : {}) };
      await this.index.add(entryLine);
    }
  }

  async finish(): Promise<void> {
    await this.readBacks.drain();
  }

  /** Lets the read-backs under way end before the location's lock is released. */
  async abandon(): Promise<void> {
    await this.puts.settle();
    await this.readBacks.settle();
  }
}

/** A listed entry as the index will hold it, or a one-line refusal: the server's listing is not trusted. */
function checkedEntry(entry: FileSetEntry): FileSetEntry {
  if (!isSafeRelativePath(entry.path)) throw new RunFailure("source", `The server listed an unsafe filestore path (absolute, through .., empty or with NUL): ${JSON.stringify(entry.path.slice(0, 200))}`);
  if (entry.type === "file" && !(Number.isSafeInteger(entry.size) && entry.size >= 0)) throw new RunFailure("source", `The server listed the filestore file ${entry.path} with an invalid size`);
  if (entry.type === "symlink" && (entry.target.length === 0 || entry.target.length > 4096 || entry.target.includes("\0"))) {
    throw new RunFailure("source", `The server listed the filestore link ${entry.path} with an invalid target`);
  }
  // Times and modes the index cannot hold are kept as a tar would: clamped, permission bits only.
  return { ...entry, mtime: Number.isSafeInteger(entry.mtime) && entry.mtime >= 0 ? entry.mtime : 0, mode: Number.isInteger(entry.mode) ? entry.mode & 0o7777 : 0o644 };
}

/** Entries grouped into batches of at most `BATCH_FILES` files or `BATCH_BYTES` bytes (a bigger file goes alone). */
async function* batches(entries: AsyncIterable<FileSetEntry>): AsyncGenerator<FileSetEntry[]> {
  let batch: FileSetEntry[] = [];
  let files = 0;
  let bytes = 0;
  for await (const listed of entries) {
    const entry = checkedEntry(listed);
    if (entry.type === "file" && files > 0 && (files >= BATCH_FILES || bytes + entry.size > BATCH_BYTES)) {
      yield batch;
      [batch, files, bytes] = [[], 0, 0];
    }
    batch.push(entry);
    if (entry.type === "file") [files, bytes] = [files + 1, bytes + entry.size];
  }
  if (batch.length > 0) yield batch;
}

/**
 * Stores a folder's files as shared objects of the backup's location and writes its index into `index` (which the
 * caller streams to storage as the backup's filestore file): one listing, then one read per batch for the files
 * the location does not already hold for this project, each checked against its name's sha1 as it streams (or
 * stored by its content's when the name is not one), written once, read back. Runs as a writer of the location, so
 * no sweep runs meanwhile; every object relied on is referenced by the backup before it returns. A failure ends
 * the index with the error (its reader fails too).
 */
export async function storeFiles(target: FilesTarget, files: FileSet, index: FilestoreIndexWriter): Promise<FilesSummary> {
  try {
    return await asObjectWriter(target.db, target.scope.locationId, async () => {
      const storer = new FileStorer(target, files, index);
      try {
        for await (const batch of batches(files.list({ signal: target.signal }))) await storer.storeBatch(batch);
        await storer.finish();
      } catch (err) {
        await storer.abandon();
        throw err;
      }
      await index.end();
      return storer.summary;
    });
  } catch (err) {
    index.stream.destroy(err as Error);
    throw err;
  }
}
