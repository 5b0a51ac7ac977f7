import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client, SFTPWrapper } from "ssh2";
import { channelError } from "./errors";
import type { ChannelSource, OpenedChannel } from "./pool";

const CHUNK_BYTES = 256 * 1024;

type SftpError = Error & { code?: number | string };

function sftpSession(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    try {
      client.sftp((err, session) => {
        if (err) return reject(err);
        // A protocol error also fails every pending request, which is where it is reported.
        session.on("error", () => {});
        resolve(session);
      });
    } catch (err) {
      reject(err);
    }
  });
}

/** An SFTP session on a pooled connection; `end()` closes it and frees the channel. */
async function openSftp(source: ChannelSource, what: string): Promise<{ sftp: SFTPWrapper; end: () => void }> {
  let opened: OpenedChannel<SFTPWrapper>;
  try {
    opened = await source.openChannel(sftpSession, "session");
  } catch (err) {
    if (/subsystem/i.test((err as Error).message)) {
      throw new Error(`The SSH server at ${source.target} does not offer SFTP (Subsystem sftp in its sshd_config), needed to ${what}`);
    }
    throw channelError(err, source.target, what);
  }
  const { channel: sftp, release } = opened;
  let ended = false;
  return {
    sftp,
    end: () => {
      if (ended) return;
      ended = true;
      sftp.end();
      release();
    },
  };
}

function call<T>(fn: (cb: (err: SftpError | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/** Streams a file from the server over SFTP, one read in flight at a time (backpressure is the reader's pace). */
export async function readRemoteFile(source: ChannelSource, file: string): Promise<Readable> {
  const { sftp, end } = await openSftp(source, `read ${file}`);
  let handle: Buffer;
  try {
    handle = await call<Buffer>((cb) => sftp.open(file, "r", cb));
  } catch {
    end();
    throw new Error(`${file} does not exist or cannot be read`);
  }
  let position = 0;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      sftp.read(handle, buffer, 0, CHUNK_BYTES, position, (err, bytesRead) => {
        if (err) return this.destroy(new Error(`Reading ${file} failed: ${err.message}`));
        if (bytesRead === 0) return void this.push(null);
        position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      });
    },
    destroy(err, callback) {
      sftp.close(handle, () => {
        end();
        callback(err);
      });
    },
  });
}

/** Creates `dir` and its missing parents (`mkdir -p`). */
async function makeDirectories(sftp: SFTPWrapper, dir: string): Promise<void> {
  if (dir === "/" || dir === ".") return;
  try {
    const stats = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb));
    if (!stats.isDirectory()) throw new Error(`${dir} exists and is not a folder`);
    return;
  } catch (err) {
    if ((err as SftpError).code !== 2) throw err; // 2: SSH_FX_NO_SUCH_FILE
  }
  await makeDirectories(sftp, posix.dirname(dir));
  try {
    await call<void>((cb) => sftp.mkdir(dir, cb));
  } catch (err) {
    // Created meanwhile by someone else: fine.
    const stats = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb)).catch(() => null);
    if (!stats?.isDirectory()) throw err;
  }
}

/** Replaces `to` atomically with OpenSSH's posix-rename; plain SFTP rename refuses an existing target. */
async function replace(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  try {
    await call<void>((cb) => sftp.ext_openssh_rename(from, to, cb));
    return;
  } catch (err) {
    if (!/does not support/i.test((err as Error).message)) throw err;
  }
  await call<void>((cb) => sftp.unlink(to, cb)).catch(() => {});
  await call<void>((cb) => sftp.rename(from, to, cb));
}

function sftpWriteStream(sftp: SFTPWrapper, handle: Buffer): Writable {
  let position = 0;
  return new Writable({
    highWaterMark: CHUNK_BYTES,
    write(chunk: Buffer, _encoding, callback) {
      sftp.write(handle, chunk, 0, chunk.length, position, (err) => {
        position += chunk.length;
        callback(err ?? null);
      });
    },
    final(callback) {
      sftp.close(handle, (err) => callback(err ?? null));
    },
  });
}

/**
 * Writes a stream to a file over SFTP: into `<file>.partial-<random>` beside it, renamed over the file only
 * once complete, so a failed write never leaves something that looks finished; parent folders are created.
 */
export async function writeRemoteFile(source: ChannelSource, file: string, content: Readable): Promise<void> {
  const { sftp, end } = await openSftp(source, `write ${file}`);
  const temp = `${file}.partial-${randomBytes(6).toString("hex")}`;
  let handle: Buffer | undefined;
  try {
    await makeDirectories(sftp, posix.dirname(file));
    handle = await call<Buffer>((cb) => sftp.open(temp, "wx", cb));
    await pipeline(content, sftpWriteStream(sftp, handle));
    handle = undefined;
    await replace(sftp, temp, file);
  } catch (err) {
    if (handle) await call<void>((cb) => sftp.close(handle!, cb)).catch(() => {});
    await call<void>((cb) => sftp.unlink(temp, cb)).catch(() => {});
    // A failing source speaks for itself; only SFTP's own errors need the file and server named.
    if (content.errored) throw err;
    throw new Error(`Cannot write ${file} on ${source.target}: ${(err as Error).message}`);
  } finally {
    end();
  }
}
