/**
 * The two places where ssh2's public API falls short, kept in one file. Both send exactly the packets ssh2
 * itself sends, through the same private members its own code uses (stable across ssh2 1.x).
 */
import type { Client, ClientChannel } from "ssh2";

type Protocol = { ping(): void; signal(channelId: number, name: string): void };
type ClientInternals = { _protocol: Protocol; _callbacks: Array<() => void> };
type ChannelInternals = { outgoing: { id: number; state: string }; _client: ClientInternals };

/**
 * Sends a keepalive@openssh.com request; `onReply` runs when the server answers (any answer proves it is
 * alive). ssh2's own `keepaliveInterval` runs on a referenced timer, which would keep Node running while a
 * connection idles in the pool; the caller drives this one from an unref'd timer instead.
 */
export function ping(client: Client, onReply: () => void): void {
  const internals = client as unknown as ClientInternals;
  // Global request replies are matched to callbacks in order, as ssh2's keepalive does.
  internals._callbacks.push(onReply);
  internals._protocol.ping();
}

/**
 * Asks the server to signal the remote command. ssh2's `Channel.signal()` does nothing once our side has sent
 * EOF (the command's stdin ended), which is just when a long command is worth stopping; RFC 4254 allows the
 * request then.
 */
export function signalRemote(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as ChannelInternals;
  if (internals.outgoing.state === "open" || internals.outgoing.state === "eof") internals._client._protocol.signal(internals.outgoing.id, name);
}
