import { createHash } from "node:crypto";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { StorageClient } from "@/server/plugins/contracts";

export type VerifiedArtifact = {
  /** The decompressed content; it errors instead of ending when the stored file is not the one recorded. */
  content: Readable;
  /** Settles once the whole stored file was read: rejects when it is damaged (checksum, size or gzip). */
  verified: Promise<void>;
};

/**
 * Streams a stored artifact for a restore: storage → sha256 and size check → gunzip. The check runs as the
 * bytes pass, so the end of `content` is only signalled once the file has proved intact; a damaged file
 * makes `content` error, which stops whatever loads it before the restore reaches its swap.
 */
export async function openVerifiedArtifact(
  storage: StorageClient,
  artifact: { kind: string; key: string; size: number; sha256: string },
  onStoredBytes: (n: number) => void,
): Promise<VerifiedArtifact> {
  const stored = await storage.get(artifact.key);
  const hash = createHash("sha256");
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onStoredBytes(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest("hex");
      if (size !== artifact.size || sha256 !== artifact.sha256) {
        done(new Error(`The stored ${artifact.kind} file is damaged: ${size} bytes with sha256 ${sha256.slice(0, 12)}…, but ${artifact.size} bytes with sha256 ${artifact.sha256.slice(0, 12)}… were verified when the backup was taken`));
      } else done();
    },
  });
  const content = new PassThrough();
  const verified = pipeline(stored, check, createGunzip(), content).catch((err: NodeJS.ErrnoException) => {
    if (err.code?.startsWith("Z_")) {
      throw new Error(`The stored ${artifact.kind} file is damaged: it is not a complete gzip file (${err.message})`);
    }
    throw err;
  });
  // The failure is reported through `verified`; the loader may not listen to `content` yet when it happens.
  verified.catch(() => {});
  content.on("error", () => {});
  return { content, verified };
}
