import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { Readable } from "node:stream";
import { FTPError } from "basic-ftp";
import type { TestResult } from "@safehold/plugin-api";
import type { FtpConfig } from "./config";
import { describeCommandError } from "./errors";
import { connectFtp } from "./ftp-connection";
import { makeDirectories, removeFile } from "./remote-files";

const TRANSPORT = {
  none: "plain FTP: the password and the backups travel unencrypted",
  explicit: "FTPS with explicit TLS",
  implicit: "FTPS with implicit TLS",
} as const;

/**
 * The reason a probe upload failed. A server refusing STOR may close the data connection before it replies, and
 * basic-ftp then reports only the reset: on a fresh connection, a folder created where the file was refused
 * usually fails with the server's own reason ("Permission denied").
 */
async function whyNotWritable(config: FtpConfig, probe: string, err: unknown): Promise<string> {
  let fresh;
  try {
    fresh = await connectFtp(config);
    await removeFile(fresh.client, probe);
    await fresh.client.send(`MKD ${probe}`);
    await fresh.client.removeEmptyDir(probe);
  } catch (mkdError) {
    if (mkdError instanceof FTPError) return describeCommandError(mkdError, config);
  } finally {
    fresh?.client.close();
  }
  return describeCommandError(err, config);
}

/**
 * Logs in on a connection of its own (so the answer is current), creates the folder if needed, then writes and
 * removes a small probe file in it.
 */
export async function testFtpStorage(config: FtpConfig, where: string): Promise<TestResult> {
  let connected;
  try {
    connected = await connectFtp(config);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const { client, root } = connected;
  try {
    try {
      await makeDirectories(client, root);
    } catch (err) {
      return { ok: false, message: `Cannot create or open the folder ${where}: ${describeCommandError(err, config)}` };
    }
    const probe = posix.join(root, `.safehold-probe-${randomBytes(4).toString("hex")}`);
    try {
      await client.uploadFrom(Readable.from([Buffer.from("ok")]), probe);
      await removeFile(client, probe);
    } catch (err) {
      return { ok: false, message: `${where} is not writable: ${await whyNotWritable(config, probe, err)}` };
    }
    return { ok: true, message: `${where} is writable (${TRANSPORT[config.secure]})` };
  } finally {
    client.close();
  }
}
