import type { PassThrough, Readable } from "node:stream";
import { DataStore, ERRORS, Upload } from "@tus/utils";

/** An upload in progress: its bytes go straight into the import pipeline reading `input`. */
export type UploadSession = {
  orgId: string;
  backupId: string;
  size: number;
  offset: number;
  input: PassThrough;
};

/** An upload with no bytes for this long is given up (its import fails saying so). */
const IDLE_LIMIT_MS = 60 * 60 * 1000;

/**
 * A tus store that keeps nothing: each PATCH's bytes are written on into the running import (gzip, hashes,
 * storage) as they arrive, with backpressure, so no copy lands on the console's disk or stays in memory. A resume
 * continues at the offset the pipeline has taken in. Sessions live in this process: after a restart an upload
 * is unknown and its import (failed by the stale-run reaper) must be started again.
 */
export class ImportUploadStore extends DataStore {
  readonly sessions = new Map<string, UploadSession>();
  private readonly idle = new Map<string, NodeJS.Timeout>();

  constructor() {
    super();
    this.extensions = ["creation", "termination"];
  }

  start(id: string, session: UploadSession): void {
    this.sessions.set(id, session);
    this.touch(id);
    session.input.once("close", () => this.forget(id));
  }

  private touch(id: string): void {
    clearTimeout(this.idle.get(id));
    const timer = setTimeout(() => this.sessions.get(id)?.input.destroy(new Error("The upload stopped for more than an hour: import the file again")), IDLE_LIMIT_MS);
    timer.unref();
    this.idle.set(id, timer);
  }

  private forget(id: string): void {
    clearTimeout(this.idle.get(id));
    this.idle.delete(id);
    this.sessions.delete(id);
  }

  override async create(upload: Upload): Promise<Upload> {
    if (!this.sessions.has(upload.id)) throw ERRORS.FILE_NOT_FOUND;
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const session = this.sessions.get(id);
    if (!session) throw ERRORS.FILE_NOT_FOUND;
    return new Upload({ id, size: session.size, offset: session.offset });
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const session = this.sessions.get(id);
    if (!session || session.input.destroyed) throw ERRORS.FILE_NOT_FOUND;
    if (offset !== session.offset) throw ERRORS.INVALID_OFFSET;
    const { input } = session;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // The import ended early (it refused the file): tus answers 404 and the browser reads the reason from the backup.
      if (input.destroyed) throw ERRORS.FILE_NOT_FOUND;
      session.offset += chunk.length;
      this.touch(id);
      if (!input.write(chunk)) await new Promise<void>((resolve) => (input.writableNeedDrain && !input.destroyed ? input.once("drain", resolve).once("close", resolve) : resolve()));
    }
    if (session.offset >= session.size) input.end();
    return session.offset;
  }

  override async remove(id: string): Promise<void> {
    this.sessions.get(id)?.input.destroy(new Error("The upload was cancelled"));
  }
}
