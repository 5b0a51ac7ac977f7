import { type Writable } from "node:stream";
import tar from "tar-stream";

export type FilestoreProof = { files: number; bytes: number };

/**
 * Counts the regular files of a tar stream and their bytes as it passes (entries are read through and dropped).
 * A tar that cannot be parsed stops the count: `result()` is then null, and the backup records no file count.
 */
export class TarCounter {
  private readonly extract = tar.extract();
  private files = 0;
  private bytes = 0;
  private broken = false;
  private readonly finished: Promise<void>;

  constructor() {
    this.extract.on("entry", (header, stream, next) => {
      if (header.type === "file" || header.type === "contiguous-file") {
        this.files += 1;
        this.bytes += header.size ?? 0;
      }
      stream.on("end", next);
      stream.resume();
    });
    this.finished = new Promise((resolve) => {
      this.extract.on("finish", resolve);
      this.extract.on("error", () => {
        this.broken = true;
        resolve();
      });
    });
  }

  /** Feeds one chunk; resolves once the parser can take more (its backpressure, so nothing piles up). */
  async update(chunk: Buffer): Promise<void> {
    if (this.broken) return;
    if (this.extract.write(chunk)) return;
    const drained = new Promise<void>((resolve) => (this.extract as unknown as Writable).once("drain", () => resolve()));
    await Promise.race([drained, this.finished]);
  }

  /** Ends the count once the stream ended. */
  async result(): Promise<FilestoreProof | null> {
    if (!this.broken) (this.extract as unknown as Writable).end();
    await this.finished;
    return this.broken ? null : { files: this.files, bytes: this.bytes };
  }
}
