import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** What a stored file must be: the catalog's size and sha256, and the sha256 of each `chunkSize` chunk. */
export type ExpectedFile = { kind: string; size: number; sha256: string; chunkSize: number; chunks: string[] };

function short(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

/** A stored file that is not what was recorded when the backup was taken; `reason` says how. */
export class DamagedFileError extends Error {
  override name = "DamagedFileError";
  constructor(
    kind: string,
    readonly reason: string,
  ) {
    super(`The stored ${kind} file is damaged: ${reason}`);
  }
}

/** The error for a stored file whose whole size or sha256 is not the catalog's; null when both match. */
export function wholeFileMismatch(kind: string, actual: { size: number; sha256: string }, expected: { size: number; sha256: string }): DamagedFileError | null {
  if (actual.size === expected.size && actual.sha256 === expected.sha256) return null;
  return new DamagedFileError(kind, `${actual.size} bytes with sha256 ${short(actual.sha256)}, but ${expected.size} bytes with sha256 ${short(expected.sha256)} were verified when the backup was taken`);
}

/**
 * A pass-through for a stored file that holds one chunk at a time and lets its bytes through only once the
 * chunk's sha256 equals the expected one, so nothing downstream (gunzip, psql, tar) ever sees a byte that was
 * not checked. At the end the total size and the whole sha256 must equal the catalog's. A released chunk is
 * taken downstream before the next one is read (the readable side keeps its small default high-water mark), so
 * memory stays at about one chunk whatever the file's size.
 */
export class ChunkVerifier extends Transform {
  private pieces: Buffer[] = [];
  private filled = 0;
  private index = 0;
  private size = 0;
  private chunkHash: Hash = createHash("sha256");
  private readonly whole: Hash = createHash("sha256");

  constructor(
    private readonly expected: ExpectedFile,
    private readonly onVerifiedBytes: (n: number) => void = () => {},
  ) {
    super();
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      for (let offset = 0; offset < data.length; ) {
        const piece = data.subarray(offset, offset + Math.min(this.expected.chunkSize - this.filled, data.length - offset));
        this.chunkHash.update(piece);
        this.pieces.push(piece);
        this.filled += piece.length;
        offset += piece.length;
        if (this.filled === this.expected.chunkSize) this.release();
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.filled > 0) this.release();
      if (this.index < this.expected.chunks.length) throw this.damaged(`it ends after ${this.size} bytes, but ${this.expected.size} bytes were recorded when the backup was taken`);
      done(wholeFileMismatch(this.expected.kind, { size: this.size, sha256: this.whole.digest("hex") }, this.expected));
    } catch (err) {
      done(err as Error);
    }
  }

  /** Checks the chunk in hand and, only when it matches, passes it on. */
  private release(): void {
    const { chunkSize, chunks } = this.expected;
    const actual = this.chunkHash.digest("hex");
    const start = this.index * chunkSize;
    if (this.index >= chunks.length) throw this.damaged(`it is longer than the ${this.expected.size} bytes recorded when the backup was taken`);
    if (actual !== chunks[this.index]) {
      throw this.damaged(`bytes ${start}–${start + this.filled - 1} (chunk ${this.index + 1} of ${chunks.length}) have sha256 ${short(actual)}, not the ${short(chunks[this.index]!)} recorded when the backup was taken`);
    }
    for (const piece of this.pieces) {
      this.whole.update(piece);
      this.push(piece);
    }
    this.size += this.filled;
    this.onVerifiedBytes(this.filled);
    this.pieces = [];
    this.filled = 0;
    this.index += 1;
    this.chunkHash = createHash("sha256");
  }

  private damaged(why: string): DamagedFileError {
    return new DamagedFileError(this.expected.kind, why);
  }
}
