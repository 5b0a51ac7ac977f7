import { PluginError, type PluginErrorCode } from "@safehold/plugin-api";
import { changedMessage } from "./host-key";

export const READY_TIMEOUT_MS = 10_000;

type Ssh2Error = Error & { level?: string; code?: string | number; reason?: number };

/** What went wrong while connecting, for the operator: one sentence, no stack. */
export function describeConnectError(err: unknown, context: { target: string; username: string; presented: string | null; pinned: string | null }): string {
  const e = err as Ssh2Error;
  const { target } = context;
  if (context.pinned && context.presented && context.presented !== context.pinned) return changedMessage(target, context.presented, context.pinned);
  if (e.level === "client-authentication") {
    return `The server refused the key for user "${context.username}" (public key authentication failed): add its public key to ~/.ssh/authorized_keys on the server`;
  }
  if (e.level === "client-timeout") return `No answer from the SSH server at ${target} within ${READY_TIMEOUT_MS / 1000} s`;
  switch (e.code) {
    case "ECONNREFUSED":
      return `Nothing is listening on ${target} (connection refused)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Host ${target.replace(/:\d+$/, "")} cannot be resolved`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${target} cannot be reached (no route to host)`;
    case "ECONNRESET":
      return `The SSH server at ${target} closed the connection before login completed`;
  }
  if (e.level === "protocol" || e.level === "handshake") return `${target} did not answer as an SSH server: ${e.message}`;
  return `Cannot connect to ${target} over SSH: ${e.message}`;
}

/** The plugin API's code for a failed connection: refused keys and changed host keys need an admin; the network may come back. */
export function connectErrorCode(err: unknown, context: { presented: string | null; pinned: string | null }): PluginErrorCode {
  const e = err as Ssh2Error;
  if (context.pinned && context.presented && context.presented !== context.pinned) return "UNAUTHORIZED";
  if (e.level === "client-authentication") return "UNAUTHORIZED";
  if (e.code === "ENOTFOUND") return "INVALID_CONFIG";
  if (e.level === "protocol" || e.level === "handshake") return "PERMANENT";
  return "UNAVAILABLE";
}

/** A failed connection as a typed error. */
export function connectError(err: unknown, context: { target: string; username: string; presented: string | null; pinned: string | null }): PluginError {
  return new PluginError(connectErrorCode(err, context), describeConnectError(err, context), { cause: err });
}
