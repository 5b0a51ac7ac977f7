import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../ports";
import { makeUserDir, startSshd } from "../sshd";
import type { StorageTarget } from "./types";

/** A private key the test sshd has never seen. */
function strangerKey(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-sftp-key-"));
  try {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "key")]);
    return fs.readFileSync(path.join(dir, "key"), "utf8");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A real OpenSSH sshd serving SFTP (internal-sftp) to a user of its own; the host key is pinned in the config. */
export async function startSftpStorage(): Promise<StorageTarget> {
  const sshd = await startSshd({ user: "safehold-sftp" });
  const config = { ...sshd.config, path: `${makeUserDir(sshd, "storage")}/backups` };
  return {
    provider: "sftp",
    config,
    badCredentials: { ...config, privateKey: strangerKey() },
    unreachable: { ...config, port: await freePort() },
    stop: () => sshd.stop(),
  };
}
