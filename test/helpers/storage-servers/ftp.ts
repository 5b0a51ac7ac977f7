import fs from "node:fs";
import path from "node:path";
import { freePort } from "../ports";
import { startProftpd } from "../proftpd";
import type { StorageTarget } from "./types";

/** A real proftpd, plain FTP in passive mode, with a folder of its own in the FTP user's home. */
export function startFtpStorage(): Promise<StorageTarget> {
  return startStorage(false);
}

/**
 * A real proftpd requiring explicit TLS (AUTH TLS) on control and data connections, with a self-signed
 * certificate the configuration accepts (`allowSelfSigned`).
 */
export function startFtpsStorage(): Promise<StorageTarget> {
  return startStorage(true);
}

async function startStorage(tls: boolean): Promise<StorageTarget> {
  const server = await startProftpd({ user: "safehold-ftp", password: "ftp-test-password-123", tls });
  // The user's home is the session's root (DefaultRoot ~): `/<folder>` in FTP is this folder.
  const folder = fs.mkdtempSync(path.join(server.home, "contract-"));
  fs.chownSync(folder, server.uid, server.gid);
  const config = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    path: `/${path.basename(folder)}/backups`,
    ...(tls ? { secure: "explicit", allowSelfSigned: true } : { secure: "none" }),
  };
  return {
    provider: "ftp",
    config,
    badCredentials: { ...config, password: "not-the-password" },
    unreachable: { ...config, port: await freePort() },
    stop: async () => {
      await server.stop();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
