import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { TestResult } from "@safehold/plugin-api";
import type { SftpConfig } from "./config";
import { ConnectError, openSftpConnection } from "./connection";
import { hostKeyReport } from "./host-key-messages";
import { describeSftpError, makeDirectories, removeFile } from "./remote-files";
import { SftpSession } from "./session";

/**
 * Connects on a connection of its own (so the answer is current), accepting an unpinned host key but never a
 * pinned one that changed; creates the folder if needed, then writes and removes a small probe file in it.
 */
export async function testSftpStorage(config: SftpConfig, where: string): Promise<TestResult> {
  let opened;
  try {
    opened = await openSftpConnection(config, { acceptAnyHostKey: true });
  } catch (err) {
    const presented = err instanceof ConnectError ? err.presented : null;
    // After a reinstall the operator trusts the new key from here.
    return { ok: false, message: (err as Error).message, ...(presented ? { details: hostKeyReport(presented, config.hostKeyFingerprint).details } : {}) };
  }
  const hostKey = hostKeyReport(opened.presented, config.hostKeyFingerprint);
  const session = new SftpSession(opened.sftp, config.target);
  const failed = (message: string): TestResult => ({ ok: false, message, details: hostKey.details });
  try {
    try {
      await makeDirectories(session, config.root);
    } catch (err) {
      return failed(`Cannot create the folder ${where}: ${describeSftpError(session, err)}`);
    }
    const probe = posix.join(config.root, `.safehold-probe-${randomBytes(4).toString("hex")}`);
    try {
      const handle = await session.request<Buffer>((sftp, cb) => sftp.open(probe, "wx", cb));
      await session.request((sftp, cb) => sftp.write(handle, Buffer.from("ok"), 0, 2, 0, cb));
      await session.request((sftp, cb) => sftp.close(handle, cb));
      await removeFile(session, probe);
    } catch (err) {
      await removeFile(session, probe).catch(() => {});
      return failed(`${where} is not writable: ${describeSftpError(session, err)}`);
    }
    return { ok: true, message: `${where} is writable; ${hostKey.sentence}`, details: hostKey.details };
  } finally {
    opened.client.end();
  }
}
