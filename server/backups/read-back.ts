import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StoredHashes, type StoredArtifact } from "./stream-to-storage";
import { verifyGzip } from "./gunzip";

/**
 * Reads a stored object back: its size, sha256 and chunk hashes, and, for a compressed artifact, whether its bytes
 * decompress to their end (a truncated or corrupt gzip rejects with a one-line message naming the artifact).
 * `stored` is the object's bytes as storage returns them; `content` turns them into the gzip stream (identity
 * for a plain artifact, a decryption step for an encrypted one).
 */
export async function readBack(stored: Readable, artifact: { kind: string; compressed: boolean }, content: (bytes: Readable) => Readable = (bytes) => bytes): Promise<Omit<StoredArtifact, "key">> {
  const hashes = new StoredHashes();
  // A transform, not a "data" listener: the stored bytes flow only as fast as the content side reads them, so a
  // decrypter that starts reading later misses none of them.
  const hashed = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hashes.update(chunk);
      done(null, chunk);
    },
  });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  if (!artifact.compressed) {
    await pipeline(stored, hashed, discard);
    return hashes.digest();
  }
  const plain = content(hashed);
  // Whatever stops the content side stops the reading too.
  plain.once("close", () => hashed.destroy());
  const [read, decompressed] = await Promise.allSettled([pipeline(stored, hashed), verifyGzip(plain)]);
  if (decompressed.status === "rejected") {
    const e = decompressed.reason as NodeJS.ErrnoException;
    if (e.code?.startsWith("Z_")) throw new DecompressError(`Verification failed: the stored ${artifact.kind} file does not decompress cleanly (${e.message}); it is truncated or corrupt`);
    throw e;
  }
  if (read.status === "rejected") throw read.reason;
  return hashes.digest();
}

/** A stored file whose bytes are not a complete compressed stream. */
export class DecompressError extends Error {
  override name = "DecompressError";
}
