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

/** A channel that could not be opened as a typed error: a lost connection may come back. */
export function channelError(err: unknown, target: string, what: string): PluginError {
  const message = describeChannelError(err, target, what);
  return new PluginError(message.endsWith("was lost") ? "UNAVAILABLE" : "PERMANENT", message, { cause: err });
}

/** Why a channel could not be opened (a lost connection reads better than ssh2's "Not connected"). */
export function describeChannelError(err: unknown, target: string, what: string): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/^\(SSH\) /, "");
  if (/not connected|no response from server|connection lost/i.test(message)) return `The SSH connection to ${target} was lost`;
  return `Cannot ${what} on ${target}: ${message}`;
}

/** Why `forwardOut` failed, in the words the local server kind uses for the same situations. */
export function describeForwardError(err: unknown, context: { target: string; username: string; host: string; port: number }): string {
  const e = err as Ssh2Error;
  const to = `${context.host}:${context.port}`;
  // RFC 4254 reason codes: 1 administratively prohibited, 2 connect failed.
  if (e.reason === 1) {
    return `The SSH server at ${context.target} does not allow TCP forwarding (needed to reach ${to}): set AllowTcpForwarding yes for user "${context.username}" in its sshd_config`;
  }
  if (e.reason === 2 && /refused/i.test(e.message)) return `Nothing is listening on ${to} (connection refused)`;
  if (e.reason === 2 && /resolve|not known|name/i.test(e.message)) return `Host ${context.host} cannot be resolved from ${context.target}`;
  return describeChannelError(err, context.target, `connect to ${to}`);
}

export function notInstalledMessage(command: string): string {
  return `Command "${command}" is not installed on this server (not found in PATH)`;
}
