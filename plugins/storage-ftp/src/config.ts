import { posix } from "node:path";
import type { PluginConfig } from "@safehold/plugin-api";

export type FtpSecurity = "none" | "explicit" | "implicit";

/** The `ftp` storage provider's settings, checked and normalised. */
export type FtpConfig = {
  host: string;
  port: number;
  user: string;
  password: string;
  secure: FtpSecurity;
  /** Accept a certificate no known authority signed (test servers, a server the operator controls). */
  allowSelfSigned: boolean;
  /** The folder holding the objects: absolute, or relative to the login folder. Never ends with a slash. */
  root: string;
  /** `host:port`, for messages. */
  target: string;
};

const SECURITY: readonly FtpSecurity[] = ["none", "explicit", "implicit"];

function text(config: PluginConfig, name: string): string {
  const value = config[name];
  return typeof value === "string" ? value.trim() : "";
}

export function parseFtpConfig(config: PluginConfig): FtpConfig {
  const host = text(config, "host");
  const user = text(config, "user");
  const port = config.port === undefined || config.port === "" ? 21 : Number(config.port);
  const secure = (text(config, "secure") || "none") as FtpSecurity;
  if (!host) throw new Error("Host is required");
  if (!user) throw new Error("User is required");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Port ${String(config.port)} is not a TCP port (1-65535)`);
  if (!SECURITY.includes(secure)) throw new Error(`Encryption "${secure}" is not one of none, explicit, implicit`);
  // FTP sends commands as lines: a line break in a value would start another command.
  const password = typeof config.password === "string" ? config.password : "";
  const given = text(config, "path");
  // Normalised, so the object paths built under it (posix.join) start with it exactly.
  const root = given && posix.normalize(given).replace(/(.)\/$/, "$1");
  if (!root) throw new Error("Folder is required");
  if (/[\r\n]/.test(user + password + root)) throw new Error("User, password and folder cannot contain line breaks");
  return {
    host,
    port,
    user,
    password,
    secure,
    allowSelfSigned: config.allowSelfSigned === true,
    root,
    target: `${host.includes(":") ? `[${host}]` : host}:${port}`,
  };
}
