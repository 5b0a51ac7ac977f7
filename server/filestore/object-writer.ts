import { createHash } from "node:crypto";
import { PassThrough, Transform, Writable, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunFailure } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { ChunkHasher } from "@/server/backups/chunk-hashes";
import { storageFailure } from "@/server/backups/storage-failure";
import { hasChunkList, objectChunkSize } from "./object-chunks";
import { objectDecryptor, objectEncryptor } from "./object-cipher";

/**
 * A file's content as hashed on its way: what names it (sha1) and what every read checks (sha256, and the sha256 of
 * each chunk when it is larger than one chunk, else null).
 */
export type ContentDigest = { sha1: string; sha256: string; size: number; chunks: string[] | null };

/** A file whose content is not what its name (a sha1) says. */
export class ContentMismatch extends Error {
  override name = "ContentMismatch";
  constructor(
    readonly path: string,
    readonly digest: ContentDigest,
  ) {
    super(`The filestore file ${path} is not the content its name says (sha1 ${digest.sha1.slice(0, 12)}…)`);
  }
}

/**
 * A pass-through hashing a file's content (its chunks cut for the `announced` size). With `expectedSha1`, its end
 * fails with `ContentMismatch` when the content's sha1 differs, so a put fed through it never completes under the
 * wrong name; `digest` is set either way.
 */
export class ContentHasher extends Transform {
  private readonly sha1 = createHash("sha1");
  private readonly sha256 = createHash("sha256");
  private readonly chunks: ChunkHasher;
  private size = 0;
  digest?: ContentDigest;

  constructor(
    private readonly path: string,
    announced: number,
    private readonly onBytes: (n: number) => void,
    private readonly expectedSha1?: string,
  ) {
    super();
    this.chunks = new ChunkHasher(objectChunkSize(announced));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.sha1.update(chunk);
    this.sha256.update(chunk);
    this.chunks.update(chunk);
    this.size += chunk.length;
    this.onBytes(chunk.length);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const chunks = this.chunks.digest();
    this.digest = { sha1: this.sha1.digest("hex"), sha256: this.sha256.digest("hex"), size: this.size, chunks: hasChunkList(this.size) ? chunks : null };
    done(this.expectedSha1 && this.digest.sha1 !== this.expectedSha1 ? new ContentMismatch(this.path, this.digest) : null);
  }
}

/** A sink that drops what it is given: for reads that only hash. */
export const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** Reads a file to its end, hashing it; its size must be the one the server announced. */
export async function hashContent(path: string, content: Readable, announced: number, onBytes: (n: number) => void, signal: AbortSignal): Promise<ContentDigest> {
  const hasher = new ContentHasher(path, announced, onBytes);
  await pipeline(content, hasher, discard(), { signal });
  return checkedSize(path, hasher.digest!, announced);
}

function checkedSize(path: string, digest: ContentDigest, announced: number): ContentDigest {
  if (digest.size !== announced) throw new RunFailure("source", `The filestore file ${path} changed while it was read (${digest.size} bytes, announced ${announced})`);
  return digest;
}

/**
 * Streams a file's content into the object `key`: hashed (and checked against `expectedSha1` when given, failing the
 * put with `ContentMismatch`), encrypted with `contentKey` when given, counted. Returns the content's digest and
 * the stored size. Nothing is held whole; a failure on either side stops the other.
 */
export async function putObject(
  storage: StorageClient,
  key: string,
  file: { path: string; content: Readable; announced: number },
  options: { expectedSha1?: string; contentKey?: Buffer; onBytes: (n: number) => void; signal: AbortSignal },
): Promise<{ digest: ContentDigest; storedSize: number }> {
  const hasher = new ContentHasher(file.path, file.announced, options.onBytes, options.expectedSha1);
  const body = new PassThrough();
  let storedSize = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      storedSize += chunk.length;
      done(null, chunk);
    },
  });
  const stages = [file.content, hasher, ...(options.contentKey ? [objectEncryptor(options.contentKey)] : []), counted, body];
  const put = storage.put(key, body, { signal: options.signal }).catch((err: unknown) => {
    body.destroy(err as Error);
    throw err;
  });
  const [produced, stored] = await Promise.allSettled([pipeline(stages, { signal: options.signal }), put]);
  // The content's own failure (a mismatch, the server failing) explains a put that was stopped because of it.
  if (produced.status === "rejected") throw produced.reason;
  if (stored.status === "rejected") throw storageFailure(stored.reason);
  return { digest: checkedSize(file.path, hasher.digest!, file.announced), storedSize };
}

/**
 * Reads a written object back (decrypting it with `contentKey`) and checks that it holds the content written: a
 * storage that lost or changed it fails the backup now, not the restore later.
 */
export async function readBackObject(storage: StorageClient, key: string, path: string, expected: ContentDigest, contentKey: Buffer | undefined, signal: AbortSignal): Promise<void> {
  const hasher = new ContentHasher(path, expected.size, () => {});
  try {
    const stages = [await storage.get(key), ...(contentKey ? [objectDecryptor(contentKey)] : []), hasher, discard()];
    await pipeline(stages, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new RunFailure("verification", `Verification failed: the stored filestore file ${path} cannot be read back (${(err as Error).message})`);
  }
  const read = hasher.digest!;
  if (read.sha256 !== expected.sha256 || read.size !== expected.size) {
    throw new RunFailure("verification", `Verification failed: the stored filestore file ${path} does not match what was written (sha256 ${read.sha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…)`);
  }
}
