import { posix } from "node:path";
import type { PluginConfig } from "@safehold/plugin-api";
import { isFingerprint, parseConfig as parseSshConfig, type SshConfig, target } from "@safehold/ssh-tools";

/** The `sftp` storage provider's settings, checked and normalised. */
export type SftpConfig = {
  host: string;
  port: number;
  username: string;
  password: string | undefined;
  privateKey: string | undefined;
  passphrase: string | undefined;
  /** Null until the operator confirms the fingerprint shown by Test connection. */
  hostKeyFingerprint: string | null;
  /** The folder holding the objects: absolute, or relative to the user's login folder. Never ends with a slash. */
  root: string;
  /** `host:port`, for messages. */
  target: string;
};

function text(config: PluginConfig, name: string): string {
  const value = config[name];
  return typeof value === "string" ? value.trim() : "";
}

/** A secret is taken as typed: leading or trailing spaces may be part of a password. */
function secret(config: PluginConfig, name: string): string | undefined {
  const value = config[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function parseSftpConfig(config: PluginConfig): SftpConfig {
  const host = text(config, "host");
  const username = text(config, "username");
  const port = config.port === undefined || config.port === "" ? 22 : Number(config.port);
  if (!host) throw new Error("Host is required");
  if (!username) throw new Error("Username is required");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Port ${String(config.port)} is not a TCP port (1-65535)`);
  const pinned = text(config, "hostKeyFingerprint");
  if (pinned && !isFingerprint(pinned)) {
    throw new Error(`The pinned host key fingerprint "${pinned}" is not an OpenSSH SHA256 fingerprint (SHA256: and 43 characters, as ssh-keygen -lf prints it)`);
  }
  const password = secret(config, "password");
  const hasKey = text(config, "privateKey") !== "";
  if (!password && !hasKey) throw new Error(`Enter a password or a private key for user "${username}": one of them is needed to log in`);
  const given = text(config, "path");
  // Normalised, so the object paths built under it (posix.join) start with it exactly.
  const root = given && posix.normalize(given).replace(/(.)\/$/, "$1");
  if (!root) throw new Error("Folder is required");
  // The SSH server kind's parser reads the key with its operator messages (passphrase missing or wrong, a
  // public key pasted instead, CRLF line ends); a password-only login has no key for it to check.
  const key = hasKey ? parseSshConfig({ ...config, port }) : undefined;
  return {
    host,
    port,
    username,
    password,
    privateKey: key?.privateKey,
    passphrase: key?.passphrase,
    hostKeyFingerprint: pinned || null,
    root,
    // `target` reads only host and port.
    target: target({ host, port } as SshConfig),
  };
}
