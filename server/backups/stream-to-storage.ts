import { createHash } from "node:crypto";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { StorageClient } from "@/server/plugins/contracts";
import { ageEncryptor } from "@/server/crypto/age-stream";
import { ChunkHasher } from "./chunk-hashes";
import { ParallelGzip } from "./parallel-gzip";
import { storageFailure } from "./storage-failure";

/** What was stored: its size and sha256, and the sha256 of each `chunkSize` chunk (a restore checks them one by one). */
export type StoredArtifact = { key: string; size: number; sha256: string; chunkSize: number; chunks: string[] };

/** Size, sha256 and chunk hashes of a byte stream, computed as it passes. */
export class StoredHashes {
  private readonly whole = createHash("sha256");
  private readonly chunks = new ChunkHasher();
  size = 0;

  update(bytes: Buffer): void {
    this.whole.update(bytes);
    this.chunks.update(bytes);
    this.size += bytes.length;
  }

  digest(): Omit<StoredArtifact, "key"> {
    return { size: this.size, sha256: this.whole.digest("hex"), chunkSize: this.chunks.chunkSize, chunks: this.chunks.digest() };
  }
}

/** A pass-through that shows each chunk to `see` on its way. */
function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      see(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Streams `input` (optionally gzipped, then optionally encrypted with age to `encryptTo`) to `key`, hashing and
 * counting what is stored on the way; `uncompressedTap` sees the content before compression (the backup's proof
 * counters). Nothing is buffered whole: the storage provider reads as the source writes. When either side fails
 * the other is stopped, and both have settled when this returns.
 */
export async function streamToStorage(
  input: Readable,
  storage: StorageClient,
  key: string,
  options: { gzip: boolean; encryptTo?: string; onSourceBytes: (n: number) => void; signal: AbortSignal; uncompressedTap?: Transform },
): Promise<StoredArtifact> {
  const hashes = new StoredHashes();
  const body = new PassThrough();
  const stored = tap((chunk) => hashes.update(chunk));
  const stages = [
    input,
    tap((chunk) => options.onSourceBytes(chunk.length)),
    ...(options.uncompressedTap ? [options.uncompressedTap] : []),
    ...(options.gzip ? [new ParallelGzip()] : []),
    ...(options.encryptTo ? [await ageEncryptor([options.encryptTo])] : []),
    stored,
    body,
  ];
  // The side that fails first tears the other down (a provider that fails destroys the stream it reads), so the
  // first stream end to error is the side the failure is recorded against.
  let failedFirst: "source" | "storage" | undefined;
  input.once("error", () => (failedFirst ??= "source"));
  body.once("error", () => (failedFirst ??= "storage"));
  const store = storage.put(key, body, { signal: options.signal }).catch((err: unknown) => {
    failedFirst ??= "storage";
    body.destroy(err as Error);
    throw err;
  });
  const [produced, put] = await Promise.allSettled([pipeline(stages, { signal: options.signal }), store]);
  // A storage failure reaches the source side as the raw error of the stream it destroyed, so the provider's
  // own (explained) error is the one to report; a source failure reaches storage with its message unchanged.
  if (put.status === "rejected" && !isStreamTeardown(put.reason)) throw failedFirst === "storage" ? storageFailure(put.reason) : put.reason;
  if (produced.status === "rejected") throw produced.reason;
  if (put.status === "rejected") throw storageFailure(put.reason);
  return { key, ...hashes.digest() };
}

function isStreamTeardown(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return e?.code === "ERR_STREAM_PREMATURE_CLOSE" || e?.name === "AbortError";
}

/** Size, sha256 and chunk hashes of an object as the storage returns it. */
export async function hashStoredObject(storage: StorageClient, key: string): Promise<Omit<StoredArtifact, "key">> {
  const hashes = new StoredHashes();
  for await (const chunk of await storage.get(key)) hashes.update(chunk as Buffer);
  return hashes.digest();
}
