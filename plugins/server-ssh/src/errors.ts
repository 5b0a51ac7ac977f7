import { PluginError } from "@safehold/plugin-api";

type Ssh2Error = Error & { level?: string; code?: string | number; reason?: number };

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

/**
 * A tunnel that could not open, as the error to throw: retryable when nothing listened on the target (a service
 * restarting) or the SSH connection was lost, as the local server kind says for the same situations.
 */
export function forwardError(err: unknown, context: { target: string; username: string; host: string; port: number }): Error {
  const e = err as Ssh2Error;
  const message = describeForwardError(err, context);
  const refused = e.reason === 2 && /refused/i.test(e.message);
  return refused || message.endsWith("was lost") ? PluginError.unavailable(message, { cause: err }) : new Error(message, { cause: err });
}

export function notInstalledMessage(command: string): string {
  return `Command "${command}" is not installed on this server (not found in PATH)`;
}
