import { finished } from "node:stream/promises";
import { PassThrough, type Readable } from "node:stream";
import { ZipFile } from "yazl";

export type ZipEntryOptions = {
  /** The entry's size when known up front (a tar entry's): checked against what the content yields. */
  size?: number;
  mtime?: Date;
  /** Use the Zip64 records for this entry even when it is small (tests prove readers accept them). */
  forceZip64?: boolean;
};

/**
 * A zip written as a stream, one entry at a time, deflated (as Python's `zipfile.ZIP_DEFLATED`), with Zip64 records
 * wherever an entry or the archive passes 4 GiB or 65,535 entries. Each entry's content is read only when its turn
 * comes, through pipes, so memory stays flat whatever the sizes. A content stream that errors (or `fail`) ends the
 * output with that error: a reader never receives an archive that looks complete.
 */
export class ZipWriter {
  private readonly zip = new ZipFile();
  private readonly out = new PassThrough();
  private failed = false;

  constructor() {
    this.zip.on("error", (err: Error) => this.fail(err));
    (this.zip.outputStream as Readable).on("error", (err) => this.fail(err)).pipe(this.out);
  }

  /** The archive's bytes. */
  get output(): Readable {
    return this.out;
  }

  /** Adds an entry; resolves once its content was read to its end (add the next one then), rejects when it failed. */
  async add(name: string, content: Readable, options: ZipEntryOptions = {}): Promise<void> {
    if (this.failed) {
      content.destroy();
      throw new Error("The archive was already abandoned");
    }
    const done = finished(content, { writable: false });
    this.zip.addReadStreamLazy(
      name,
      { ...(options.size === undefined ? {} : { size: options.size }), mtime: options.mtime ?? new Date(), forceZip64Format: options.forceZip64 ?? false },
      (cb) => cb(null, content),
    );
    try {
      await done;
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
  }

  /** Writes the central directory; the output ends after it. */
  end(options: { forceZip64?: boolean } = {}): void {
    if (!this.failed) this.zip.end({ forceZip64Format: options.forceZip64 ?? false, comment: "" });
  }

  /** Abandons the archive: the output errors with `err` (the reader sees a failed download, never a short zip). */
  fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.out.destroy(err);
  }
}
