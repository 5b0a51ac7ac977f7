import type { SFTPWrapper } from "ssh2";

/** An SFTP status error from ssh2: `code` is the SSH_FX_* status. */
export type SftpError = Error & { code?: number | string };

export const NO_SUCH_FILE = 2;
export const PERMISSION_DENIED = 3;

/** ssh2's words for "the session ended under a pending request". */
const LOST = /no response from server|not connected/i;

/**
 * The SFTP session of a connection, with the one guard ssh2 lacks: a request sent on a session that has ended is
 * silently dropped and its callback never runs, so an operation would hang forever. Requests on an ended session
 * fail at once instead.
 */
export class SftpSession {
  private ended = false;

  constructor(
    readonly sftp: SFTPWrapper,
    readonly target: string,
  ) {
    const end = () => {
      this.ended = true;
    };
    sftp.once("end", end);
    sftp.once("close", end);
  }

  get alive(): boolean {
    return !this.ended;
  }

  lost(): Error {
    return new Error(`The SSH connection to ${this.target} was lost`);
  }

  /**
   * A request's error, in the operator's words when the connection went away. ssh2 fails every pending
   * request ("No response from server") before it emits "end", and a callback sending another request then
   * would never hear back: the first such failure marks the session ended.
   */
  explain(err: unknown): Error {
    if (LOST.test((err as Error | undefined)?.message ?? "")) this.ended = true;
    return this.ended ? this.lost() : (err as Error);
  }

  /** One request; its callback's error rejects. */
  request<T = void>(send: (sftp: SFTPWrapper, callback: (err: SftpError | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.ended) return Promise.reject(this.lost());
    return new Promise((resolve, reject) => {
      try {
        send(this.sftp, (err, value) => (err ? reject(this.explain(err)) : resolve(value)));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  /** Closes a file handle; on an ended session there is nothing left to close. */
  closeHandle(handle: Buffer, callback: () => void): void {
    if (!this.alive) return callback();
    this.sftp.close(handle, () => callback());
  }
}
