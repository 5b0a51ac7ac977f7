import { Readable, Writable } from "node:stream";
import type { SftpSession } from "./session";

/**
 * SFTP is request/response: ssh2's own read and write streams keep one request in flight, so every chunk waits
 * a full round trip (a few MB/s to a server 50 ms away). These keep up to IN_FLIGHT requests of REQUEST_BYTES
 * going, as OpenSSH's sftp client does (-B 32768 -R 64): 2 MiB at most in flight, whatever the file size.
 * 32 KiB is the size every SFTP server must accept in one request.
 */
const REQUEST_BYTES = 32 * 1024;
const IN_FLIGHT = 64;

type Request = { offset: number; length: number; data?: Buffer; error?: Error };

/** Streams the file behind `handle` from `start` to `size`; the handle is closed when the stream is. */
export function sftpReadStream(session: SftpSession, handle: Buffer, range: { start: number; size: number; name: string }): Readable {
  const { size, name } = range;
  let requested = range.start;
  let delivered = range.start;
  /** Requests in file order; answers are delivered in that order, whatever order they arrive in. */
  let pending: Request[] = [];
  let wanted = false;
  let failed = false;

  const fill = () => {
    while (!failed && session.alive && pending.length < IN_FLIGHT && requested < size) {
      const request: Request = { offset: requested, length: Math.min(REQUEST_BYTES, size - requested) };
      const batch = pending;
      requested += request.length;
      pending.push(request);
      session.sftp.read(handle, Buffer.allocUnsafe(request.length), 0, request.length, request.offset, (err, bytesRead, buffer) => {
        // Answers to requests dropped after a short read (below) are stale.
        if (batch !== pending) return;
        if (err) {
          // No new request after an error: ssh2 reports a lost session by failing each pending request in turn.
          failed = true;
          request.error = session.explain(err);
        } else request.data = buffer.subarray(0, bytesRead);
        deliver();
      });
    }
  };

  const deliver = () => {
    while (wanted && pending[0] && (pending[0].data || pending[0].error)) {
      const request = pending.shift()!;
      if (request.error) return void stream.destroy(new Error(`Reading ${name} failed: ${request.error.message}`));
      const data = request.data!;
      if (data.length === 0) return void stream.destroy(new Error(`${name} ended at byte ${delivered} of ${size}: it changed while being read`));
      delivered += data.length;
      // A server may answer with less than asked before the end of the file: ask again from where it stopped.
      if (data.length < request.length) {
        pending = [];
        requested = delivered;
      }
      wanted = stream.push(data);
    }
    if (delivered >= size) return void (wanted && stream.push(null));
    if (!session.alive && pending.length === 0) return void stream.destroy(new Error(`Reading ${name} failed: ${session.lost().message}`));
    fill();
  };

  const stream = new Readable({
    highWaterMark: 4 * REQUEST_BYTES,
    read() {
      wanted = true;
      deliver();
    },
    destroy(err, callback) {
      pending = [];
      failed = true;
      session.closeHandle(handle, () => callback(err));
    },
  });
  return stream;
}

/**
 * Writes at increasing offsets of `handle`, several requests at a time; `final` waits for every answer, asks
 * the server to fsync (where it offers fsync@openssh.com) so the file is durable before it is renamed into
 * place, and closes the handle. `bytesWritten` counts what the server acknowledged.
 */
export class SftpWriteStream extends Writable {
  bytesWritten = 0;
  private position = 0;
  private inFlight = 0;
  private failure: Error | null = null;
  private current: { chunk: Buffer; offset: number; callback: (err?: Error | null) => void } | null = null;
  private drained: (() => void) | null = null;
  private handleOpen = true;

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
  ) {
    super({ highWaterMark: 4 * REQUEST_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.failure) return callback(this.failure);
    this.current = { chunk, offset: 0, callback };
    this.pump();
  }

  /** Sends pieces of the current chunk while there is room; the chunk is accepted once all of it is sent. */
  private pump(): void {
    const current = this.current;
    if (!current) return;
    while (!this.failure && this.inFlight < IN_FLIGHT && current.offset < current.chunk.length) {
      const piece = current.chunk.subarray(current.offset, current.offset + REQUEST_BYTES);
      current.offset += piece.length;
      this.send(piece);
    }
    if (this.failure || current.offset >= current.chunk.length) {
      this.current = null;
      current.callback(this.failure);
    }
  }

  private send(piece: Buffer): void {
    if (!this.session.alive) {
      this.failure ??= this.session.lost();
      return;
    }
    this.inFlight++;
    const position = this.position;
    this.position += piece.length;
    this.session.sftp.write(this.handle, piece, 0, piece.length, position, (err) => {
      this.inFlight--;
      if (err) this.failure ??= this.session.explain(err);
      else this.bytesWritten += piece.length;
      this.pump();
      if (this.inFlight === 0) this.drained?.();
    });
  }

  override _final(callback: (err?: Error | null) => void): void {
    const finish = async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      if (this.failure) throw this.failure;
      await this.fsync();
      this.handleOpen = false;
      await this.session.request((sftp, cb) => sftp.close(this.handle, cb));
    };
    finish().then(
      () => callback(),
      (err: unknown) => callback(this.session.explain(err)),
    );
  }

  private fsync(): Promise<void> {
    return this.session.request((sftp, cb) => {
      try {
        sftp.ext_openssh_fsync(this.handle, (err) => cb(err, undefined));
      } catch {
        // ssh2 throws, before sending anything, when the server does not offer fsync@openssh.com.
        cb(null, undefined);
      }
    });
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.handleOpen) return callback(err);
    this.handleOpen = false;
    this.session.closeHandle(this.handle, () => callback(err));
  }
}
