import fs from "node:fs";
import path from "node:path";
import { freePort } from "../console-process";
import { startProftpd } from "../proftpd";
import type { StorageTarget } from "./types";

/** A real proftpd, plain FTP in passive mode, with a folder of its own in the FTP user's home. */
export async function startFtpStorage(): Promise<StorageTarget | null> {
  const server = await startProftpd({ user: "safehold-ftp", password: "ftp-test-password-123" });
  if (!server) return null;
  // The user's home is the session's root (DefaultRoot ~): `/<folder>` in FTP is this folder.
  const folder = fs.mkdtempSync(path.join(server.home, "contract-"));
  fs.chownSync(folder, server.uid, server.gid);
  const config = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    secure: "none",
    path: `/${path.basename(folder)}/backups`,
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
