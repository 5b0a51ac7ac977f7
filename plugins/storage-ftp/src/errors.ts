import { PluginError, type PluginErrorCode } from "@safehold/plugin-api";
import { FTPError } from "basic-ftp";
import type { FtpConfig } from "./config";

export const TIMEOUT_MS = 20_000;

/** Node's codes for a certificate that does not check out. */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

type NodeError = Error & { code?: string | number };

function isTlsFailure(e: NodeError): boolean {
  return e.code === "EPROTO" || (typeof e.code === "string" && e.code.startsWith("ERR_SSL")) || /\b(ssl|tls)\b/i.test(e.message);
}

/** Why connecting or logging in failed, for the operator: one sentence. */
export function describeConnectError(err: unknown, config: FtpConfig): string {
  const e = err as NodeError;
  const { target } = config;
  if (err instanceof FTPError) {
    if (e.code === 530) return `The FTP server at ${target} refused the login for user "${config.user}" (530: wrong user name or password)`;
    // AUTH TLS is the first command an explicit FTPS client sends; a server without TLS refuses it.
    if (config.secure === "explicit" && [500, 502, 504, 534, 431].includes(Number(e.code))) {
      return `The FTP server at ${target} does not offer TLS (it refused AUTH TLS): enable TLS on the server, or set Encryption to none`;
    }
    return `The FTP server at ${target} refused the connection: ${e.message}`;
  }
  if (typeof e.code === "string" && UNTRUSTED_CERTIFICATE.has(e.code)) {
    return `The TLS certificate of ${target} is not trusted (${e.message}): give the server a certificate from a known authority, or allow self-signed certificates for a server you control`;
  }
  switch (e.code) {
    case "ECONNREFUSED":
      return `Nothing is listening on ${target} (connection refused)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Host ${config.host} cannot be resolved`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${target} cannot be reached (no route to host)`;
    case "ECONNRESET":
      return config.secure === "implicit"
        ? `The server at ${target} closed the connection during the TLS handshake: is it an implicit FTPS port (usually 990)?`
        : `The FTP server at ${target} closed the connection before login completed`;
  }
  if (isTlsFailure(e)) {
    // OpenSSL's messages carry its source file and line: keep only the reason ("wrong version number").
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(e.message)?.[1] ?? e.message;
    return `TLS with ${target} failed (${reason}): check the port and the encryption mode (implicit FTPS usually listens on 990)`;
  }
  if (/timeout/i.test(e.message) || e.code === "ETIMEDOUT") {
    return config.secure === "implicit"
      ? `No answer from ${target} within ${TIMEOUT_MS / 1000} s: is it an implicit FTPS port (usually 990)?`
      : `No answer from the FTP server at ${target} within ${TIMEOUT_MS / 1000} s`;
  }
  return `Cannot connect to ${target} over FTP: ${e.message}`;
}

/** The server's own reply to a refused command (such as `550 /x: Permission denied`), or a lost connection. */
export function describeCommandError(err: unknown, config: FtpConfig): string {
  if (err instanceof FTPError) return err.message;
  const e = err as NodeError;
  // A refused STOR can close the data connection before its reply arrives: basic-ftp reports the reset.
  if (/\(data socket\)/.test(e.message)) return `the server closed the data connection (${e.message}): it refused the transfer or failed during it`;
  if (e.code === "ECONNRESET" || /closed|timeout|not connected/i.test(e.message)) return `the connection to ${config.target} was lost (${e.message})`;
  return e.message;
}

/** The plugin API's code for a failed connection or login. */
export function connectErrorCode(err: unknown): PluginErrorCode {
  const e = err as NodeError;
  if (err instanceof FTPError) return e.code === 530 ? "UNAUTHORIZED" : Number(e.code) >= 500 ? "INVALID_CONFIG" : "UNAVAILABLE";
  if (typeof e.code === "string" && UNTRUSTED_CERTIFICATE.has(e.code)) return "INVALID_CONFIG";
  if (e.code === "ENOTFOUND") return "INVALID_CONFIG";
  if (isTlsFailure(e)) return "INVALID_CONFIG";
  return "UNAVAILABLE";
}

/** A failed connection or login as a typed error (connection trouble is retryable; a refused login is not). */
export function connectError(err: unknown, config: FtpConfig): PluginError {
  return new PluginError(connectErrorCode(err), describeConnectError(err, config), { cause: err });
}

/** A failed command as a typed error: 4xx replies and lost connections may pass, 5xx replies will not. */
export function commandError(message: string, err: unknown): PluginError {
  if (isUnavailable(err)) return PluginError.notFound(message, { cause: err });
  if (err instanceof FTPError) return new PluginError(err.code >= 400 && err.code < 500 ? "UNAVAILABLE" : "PERMANENT", message, { cause: err });
  return PluginError.unavailable(message, { cause: err });
}

/** 550: the file or folder does not exist (or cannot be reached, which reads the same from here). */
export function isUnavailable(err: unknown): boolean {
  return err instanceof FTPError && err.code === 550;
}
