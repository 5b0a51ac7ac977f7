import { posix } from "node:path";
import type { FileEntryWithStats, Stats } from "ssh2";
import { NO_SUCH_FILE, PERMISSION_DENIED, type SftpError, type SftpSession } from "./session";

/** SSH_FX_FAILURE: SFTP v3 has no finer status, so OpenSSH reports ENOSPC and EDQUOT with it. */
const FAILURE = 4;

/** Why a request failed, in words for the operator. */
export function describeSftpError(session: SftpSession, err: unknown): string {
  const e = session.explain(err) as SftpError;
  if (e.code === PERMISSION_DENIED) return "permission denied";
  if (e.code === NO_SUCH_FILE) return "no such file or folder";
  if (e.code === FAILURE) return "the server reported a failure (a full disk or an exceeded quota does this)";
  return e.message;
}

export function isMissing(err: unknown): boolean {
  return (err as SftpError).code === NO_SUCH_FILE;
}

export function stat(session: SftpSession, path: string): Promise<Stats> {
  return session.request<Stats>((sftp, cb) => sftp.stat(path, cb));
}

/** Creates `dir` and its missing parents (`mkdir -p`); the root may be relative to the login folder. */
export async function makeDirectories(session: SftpSession, dir: string): Promise<void> {
  if (dir === "/" || dir === ".") return;
  try {
    if ((await stat(session, dir)).isDirectory()) return;
    throw new Error(`${dir} exists and is not a folder`);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  await makeDirectories(session, posix.dirname(dir));
  try {
    await session.request((sftp, cb) => sftp.mkdir(dir, cb));
  } catch (err) {
    // Created meanwhile by a concurrent upload: fine.
    const stats = await stat(session, dir).catch(() => null);
    if (!stats?.isDirectory()) throw err;
  }
}

/**
 * Renames `from` over `to`. Plain SFTP rename refuses an existing target, so OpenSSH's posix-rename (atomic) is
 * used where offered, else the target is removed first.
 */
export async function replace(session: SftpSession, from: string, to: string): Promise<void> {
  let supported = true;
  await session.request((sftp, cb) => {
    try {
      sftp.ext_openssh_rename(from, to, cb);
    } catch {
      // ssh2 throws, before sending anything, when the server does not offer posix-rename@openssh.com.
      supported = false;
      cb(null, undefined);
    }
  });
  if (supported) return;
  await removeFile(session, to);
  await session.request((sftp, cb) => sftp.rename(from, to, cb));
}

/** Removes a file; a missing one is fine. */
export async function removeFile(session: SftpSession, path: string): Promise<void> {
  try {
    await session.request((sftp, cb) => sftp.unlink(path, cb));
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/** The entries of a folder; none when it does not exist. */
export async function readFolder(session: SftpSession, dir: string): Promise<FileEntryWithStats[]> {
  try {
    return await session.request<FileEntryWithStats[]>((sftp, cb) => sftp.readdir(dir, cb));
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}
