import { createHash } from "node:crypto";
import type { PluginConfig } from "@safehold/plugin-api";
// ssh2 is CommonJS and Node cannot see `utils` as a named export of it.
import ssh2 from "ssh2";
import { isFingerprint } from "./host-key";

/** The `ssh` server kind's settings, checked and normalised. */
export type SshConfig = {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase: string | undefined;
  /** Null until the operator confirms the fingerprint shown by Test connection. */
  hostKeyFingerprint: string | null;
};

function text(config: PluginConfig, name: string): string {
  const value = config[name];
  return typeof value === "string" ? value.trim() : "";
}

/** Fails with a sentence an operator can act on when the key cannot be used (ssh2's own messages name its parsers). */
function checkPrivateKey(privateKey: string, passphrase: string | undefined): void {
  const parsed = ssh2.utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) throw new Error("The private key is protected by a passphrase: enter it in Passphrase");
    if (/bad passphrase/i.test(parsed.message)) throw new Error("The passphrase does not unlock the private key");
    throw new Error("The private key cannot be read: paste the whole private key file (OpenSSH or PEM format, from its -----BEGIN line to its -----END line)");
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key.getPrivatePEM() === null) throw new Error("This is a public key: paste the private key (the key file without .pub)");
}

export function parseConfig(config: PluginConfig): SshConfig {
  const host = text(config, "host");
  const username = text(config, "username");
  const port = config.port === undefined ? 22 : Number(config.port);
  if (!host) throw new Error("Host is required");
  if (!username) throw new Error("Username is required");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Port ${String(config.port)} is not a TCP port (1-65535)`);
  // Keys pasted from Windows arrive with CRLF line ends; a textarea may drop the final newline.
  const privateKey = `${text(config, "privateKey").replace(/\r\n?/g, "\n")}\n`;
  const passphrase = typeof config.passphrase === "string" && config.passphrase !== "" ? config.passphrase : undefined;
  const pinned = text(config, "hostKeyFingerprint");
  if (pinned && !isFingerprint(pinned)) {
    throw new Error(`The pinned host key fingerprint "${pinned}" is not an OpenSSH SHA256 fingerprint (SHA256: and 43 characters, as ssh-keygen -lf prints it)`);
  }
  checkPrivateKey(privateKey, passphrase);
  return { host, port, username, privateKey, passphrase, hostKeyFingerprint: pinned || null };
}

/** `host:port`, with brackets around an IPv6 address. */
export function target(config: SshConfig): string {
  return `${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
}

/** What identifies a reusable connection: same server, user, key and pinned host key. The key is hashed, not kept in the map. */
export function poolKey(config: SshConfig): string {
  const secret = createHash("sha256").update(config.privateKey).update("\0").update(config.passphrase ?? "").digest("hex");
  return [config.host, config.port, config.username, secret, config.hostKeyFingerprint ?? ""].join("|");
}
