import { createHash, type Hash } from "node:crypto";

/** Stored files are checked in chunks of this many bytes (the last one shorter): a restore holds one at a time. */
export const CHUNK_SIZE = 1024 * 1024;

/**
 * The sha256 of each fixed-size chunk of a byte stream, computed as the bytes pass: nothing is kept but the
 * hash state of the chunk in progress.
 */
export class ChunkHasher {
  private readonly hashes: string[] = [];
  private current: Hash = createHash("sha256");
  private filled = 0;

  constructor(readonly chunkSize = CHUNK_SIZE) {}

  update(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(this.chunkSize - this.filled, bytes.length - offset);
      this.current.update(bytes.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === this.chunkSize) this.close();
    }
  }

  /** Every chunk's hash, the last (shorter) one included; an empty stream has no chunks. */
  digest(): string[] {
    if (this.filled > 0) this.close();
    return this.hashes;
  }

  private close(): void {
    this.hashes.push(this.current.digest("hex"));
    this.current = createHash("sha256");
    this.filled = 0;
  }
}
