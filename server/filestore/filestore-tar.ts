import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { oneLine } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { openVerifiedArtifact, type ArtifactToLoad, type VerifiedArtifact } from "@/server/restores/artifact-stream";
import { ChunkVerifier, DamagedFileError, wholeFileMismatch, type ExpectedFile } from "@/server/restores/chunk-verifier";
import { readFilestoreIndex, type IndexFile } from "./filestore-index";
import { DamagedObjectError, encryptedObjectId, objectContentKey, objectDecryptor, orgObjectSecret } from "./object-cipher";
import { expectedObject } from "./object-chunks";
import { filestoreObjectKey } from "./object-key";
import { ContentHasher, discard } from "./object-writer";

/** The one-line errors of a filestore file: what a restore, a drill or a download shows, naming the file. */
export function missingObject(path: string, object: string): Error {
  return new Error(`The filestore file ${path} is missing from storage (object ${object.slice(0, 12)}…)`);
}

export function damagedObject(path: string, reason: string): Error {
  return new Error(`The filestore file ${path} is damaged: ${reason}`);
}

/** Whether an error says a filestore file is missing or damaged (a finding about the backup, not a storage outage). */
export function isFilestoreFinding(err: unknown): boolean {
  return /^The filestore (file .+ is (missing from storage|damaged)|index)/.test(oneLine(err));
}

/** Where an index's objects are and how they open: plain (id = sha1), or encrypted with one of the organization's keys. */
class ObjectReader {
  private readonly secrets: Buffer[];

  constructor(
    private readonly storage: StorageClient,
    private readonly orgId: string,
    private readonly encrypted: boolean,
    identities: string[],
  ) {
    this.secrets = encrypted ? identities.map(orgObjectSecret) : [];
  }

  /** The content key of an encrypted object: that of the organization key whose name for the file is its id. */
  private contentKey(file: IndexFile): Buffer | undefined {
    if (!this.encrypted) {
      if (file.object !== file.sha1) throw damagedObject(file.path, "the index names an object that is not its content's sha1");
      return undefined;
    }
    const secret = this.secrets.find((s) => encryptedObjectId(s, file.sha1) === file.object);
    if (!secret) throw damagedObject(file.path, "its object is encrypted with an organization key this console does not hold");
    return objectContentKey(secret, file.sha1);
  }

  private async open(file: IndexFile): Promise<Readable> {
    try {
      return await this.storage.get(filestoreObjectKey(this.orgId, file.object));
    } catch (err) {
      if ((err as { pluginCode?: string }).pluginCode === "NOT_FOUND") throw missingObject(file.path, file.object);
      throw err;
    }
  }

  /**
   * A large object indexed before chunk hashes were kept: read whole once and checked against its sha256, its chunk
   * hashes computed on the way, so the read that feeds the tar is then checked chunk by chunk like any other.
   */
  private async provenChunks(file: IndexFile, key: Buffer | undefined, onStoredBytes: (n: number) => void, signal: AbortSignal): Promise<ExpectedFile> {
    const stored = await this.open(file);
    const hasher = new ContentHasher(file.path, file.size, () => {});
    try {
      await pipeline([stored, countedBytes(onStoredBytes), ...(key ? [objectDecryptor(key)] : []), hasher, discard()], { signal });
    } catch (err) {
      stored.destroy();
      if (err instanceof DamagedObjectError) throw damagedObject(file.path, err.reason);
      throw err;
    }
    const mismatch = wholeFileMismatch("filestore", hasher.digest!, file);
    if (mismatch) throw damagedObject(file.path, mismatch.reason);
    return expectedObject("filestore", { ...file, chunks: hasher.digest!.chunks })!;
  }

  /** Streams the file's content into the tar as its entry, each chunk only once its sha256 matched. */
  async copy(file: IndexFile, pack: tar.Pack, header: EntryHeader, onStoredBytes: (n: number) => void, signal: AbortSignal): Promise<void> {
    const key = this.contentKey(file);
    const expected = expectedObject("filestore", file) ?? (await this.provenChunks(file, key, onStoredBytes, signal));
    const stored = await this.open(file);
    const checked = new ChunkVerifier(expected);
    const read = pipeline([stored, countedBytes(onStoredBytes), ...(key ? [objectDecryptor(key)] : []), checked], { signal });
    read.catch(() => {});
    try {
      await writeEntry(pack, header, checked);
      await read;
    } catch (err) {
      stored.destroy();
      if (err instanceof DamagedObjectError || err instanceof DamagedFileError) throw damagedObject(file.path, err.reason);
      throw err;
    }
  }
}

/** Counts the stored bytes as they are read (progress). */
function countedBytes(onStoredBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onStoredBytes(chunk.length);
      done(null, chunk);
    },
  });
}

type EntryHeader = Parameters<tar.Pack["entry"]>[0];

/** Adds an entry to the tar (a tar-stream stream, not a Node one), its content written as the sink takes it. */
async function writeEntry(pack: tar.Pack, header: EntryHeader, content?: AsyncIterable<Buffer>): Promise<void> {
  let sink: ReturnType<tar.Pack["entry"]> | undefined;
  const added = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  // Awaited below once the content is in; an entry given up on (its content failed) rejects unheard.
  added.catch(() => {});
  if (content) {
    for await (const chunk of content) {
      if (sink!.destroyed) throw new Error("The filestore tar stopped being read");
      // A sink destroyed while full never drains: its close ends the wait too.
      if (!sink!.write(chunk)) await new Promise<void>((resolve) => sink!.once("drain", () => resolve()).once("close", () => resolve()));
    }
    sink!.end(undefined);
  }
  await added;
}

/** Writes the index's entries into `pack`, each folder once before what it holds (0755, as a tar of the folder would have it). */
async function packEntries(index: Readable, pack: tar.Pack, objects: ObjectReader, onStoredBytes: (n: number) => void, signal: AbortSignal): Promise<void> {
  const folders = new Set<string>();
  for await (const item of readFilestoreIndex(index)) {
    signal.throwIfAborted();
    const mtime = new Date(item.mtime * 1000);
    const parts = item.path.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join("/");
      if (folders.has(folder)) continue;
      folders.add(folder);
      await writeEntry(pack, { name: `${folder}/`, type: "directory", mode: 0o755, mtime });
    }
    if (item.type === "symlink") {
      await writeEntry(pack, { name: item.path, type: "symlink", linkname: item.target, mode: item.mode, mtime });
      continue;
    }
    await objects.copy(item, pack, { name: item.path, type: "file", size: item.size, mode: item.mode, mtime }, onStoredBytes, signal);
  }
  pack.finalize();
}

/**
 * tar-stream's streams are not Node's: the tar reaches consumers through a Node stream, at the pace they read it.
 * Destroying it (a failure, a consumer that stops) drops the pack without waiting for it.
 */
function asNodeStream(pack: tar.Pack): PassThrough {
  const out = new PassThrough();
  pack.on("data", (chunk) => {
    if (!out.write(chunk as Buffer)) pack.pause();
  });
  out.on("drain", () => pack.resume());
  pack.on("end", () => out.end());
  out.once("close", () => pack.destroy());
  return out;
}

/**
 * An objects-layout filestore as the tar stream a full archive would have been, like `openVerifiedArtifact`: the
 * index is read through the verified reader (checked chunk by chunk against the signed manifest, decrypted), and
 * each object it names is fetched, decrypted and checked chunk by chunk as it streams into the tar. A missing or
 * damaged object makes `content` error and `verified` reject, naming the file; consumers (restores, drills,
 * downloads, exports) stay as they are.
 */
export async function openFilestoreTar(
  storage: StorageClient,
  artifact: ArtifactToLoad,
  objects: { orgId: string; identities: string[] },
  onStoredBytes: (n: number) => void,
): Promise<VerifiedArtifact> {
  const index = await openVerifiedArtifact(storage, { ...artifact, layout: "file" }, onStoredBytes, objects.identities);
  const reader = new ObjectReader(storage, objects.orgId, artifact.encryption !== null, objects.identities);
  const pack = tar.pack();
  const content = asNodeStream(pack);
  const stop = new AbortController();
  content.once("close", () => stop.abort(new Error("The filestore was not read to its end")));
  const packed = packEntries(index.content, pack, reader, onStoredBytes, stop.signal);
  const verified = Promise.all([index.verified, packed]).then(
    () => {},
    (err: unknown) => {
      index.content.destroy();
      content.destroy(err as Error);
      throw err;
    },
  );
  // The failure is reported through `verified`; the loader may not listen to `content` yet when it happens.
  verified.catch(() => {});
  content.on("error", () => {});
  return { content, verified };
}
