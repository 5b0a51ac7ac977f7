import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ArtifactEncryption } from "@/server/backups/manifest";
import { hashStoredObject } from "@/server/backups/stream-to-storage";
import { ageDecrypted } from "@/server/crypto/age-stream";
import type { StorageClient } from "@/server/plugins/contracts";
import { ChunkVerifier, wholeFileMismatch, type ExpectedFile } from "./chunk-verifier";
import { backupGunzip } from "@/server/backups/gunzip";

/** A stored artifact as the catalog records it, with its chunk checksums when its signed manifest gave them. */
export type ArtifactToLoad = Omit<ExpectedFile, "chunkSize" | "chunks"> & {
  key: string;
  chunks: { size: number; hashes: string[] } | null;
  /** How the stored file is encrypted, as its signed manifest says; null for a plain gzip file. */
  encryption: ArtifactEncryption | null;
  /** `objects`: the file is a filestore index naming shared objects (see openFilestoreTar); `file`: the file is the artifact. */
  layout: "file" | "objects";
  /** The organization whose shared objects an `objects` index names. */
  orgId: string;
};

export type VerifiedArtifact = {
  /** The decompressed content (the gzip file itself when asked `compressed`); it errors instead of ending when the stored file is not the one recorded. */
  content: Readable;
  /** Settles once the whole stored file was read: rejects when it is damaged (checksum, size or gzip). */
  verified: Promise<void>;
};

/**
 * The chunk checksums of a backup taken before manifests carried them: read the stored file once, and use them
 * only when the whole file has the catalog's size and sha256. The second read is checked against them, so bytes
 * changed between the two reads are caught as well.
 */
async function chunksOfStoredFile(storage: StorageClient, artifact: ArtifactToLoad): Promise<ExpectedFile> {
  const read = await hashStoredObject(storage, artifact.key);
  const mismatch = wholeFileMismatch(artifact.kind, read, artifact);
  if (mismatch) throw mismatch;
  return { ...artifact, chunkSize: read.chunkSize, chunks: read.chunks };
}

/**
 * Streams a stored artifact for a restore: storage → chunk verifier → age decryption (an encrypted file, with
 * `identities`: the organization's keys) → gunzip (unless `compressed`). Each chunk reaches the decrypter and gunzip (and the loader
 * behind them) only once its sha256 matched, so a damaged or forged file never feeds the loader a byte: it makes
 * `content` error, which stops whatever loads it before the restore reaches its swap.
 */
export async function openVerifiedArtifact(storage: StorageClient, artifact: ArtifactToLoad, onStoredBytes: (n: number) => void, identities: string[], compressed = false): Promise<VerifiedArtifact> {
  const expected = artifact.chunks ? { ...artifact, chunkSize: artifact.chunks.size, chunks: artifact.chunks.hashes } : await chunksOfStoredFile(storage, artifact);
  const stored = await storage.get(artifact.key);
  const content = new PassThrough();
  const checked = new ChunkVerifier(expected, onStoredBytes);
  const read = pipeline(stored, checked);
  const plain = artifact.encryption ? ageDecrypted(checked, identities) : checked;
  // Whatever stops the decrypted side (the loader failing) stops the reading too.
  plain.once("close", () => checked.destroy());
  // A loader that decompresses on the server gets the verified gzip bytes; its side checks the gzip itself.
  const delivered = compressed ? pipeline(plain, content) : pipeline(plain, backupGunzip(), content);
  const verified = Promise.all([read, delivered]).then(() => {}).catch((err: NodeJS.ErrnoException) => {
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
