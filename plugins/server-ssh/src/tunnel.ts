import type { Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import { PluginError } from "@safehold/plugin-api";
import { forwardError } from "./errors";
import type { ChannelSource } from "./pool";

const FORWARD_TIMEOUT_MS = 10_000;

/**
 * What callers of a TCP socket may use beyond Duplex. postgres.js, given a socket factory, ends the connection
 * only when `readyState` is "open" and waits for "close" unless it is "closed"; it calls `setKeepAlive` when
 * present. Keepalive, Nagle and keeping Node running belong to the SSH connection under the tunnel, so the
 * socket methods are accepted and do nothing.
 */
function asSocket(channel: ClientChannel, host: string, port: number): Duplex {
  let closed = false;
  channel.once("close", () => {
    closed = true;
  });
  const self = () => channel;
  return Object.defineProperties(channel, {
    readyState: {
      get: () => (closed ? "closed" : channel.readable && channel.writable ? "open" : channel.readable ? "readOnly" : channel.writable ? "writeOnly" : "closed"),
    },
    remoteAddress: { value: host },
    remotePort: { value: port },
    setKeepAlive: { value: self },
    setNoDelay: { value: self },
    ref: { value: self },
    unref: { value: self },
  });
}

type Tunnel = { channel: ClientChannel; closed: Promise<void> };

/** Opens a direct-tcpip channel; its close is listened for inside ssh2's callback, in case it closes at once. */
function forward(client: Client, host: string, port: number): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut("127.0.0.1", 0, host, port, (err, channel) => {
        if (err) return reject(err);
        resolve({ channel, closed: new Promise((settle) => channel.once("close", () => settle())) });
      });
    } catch (err) {
      reject(err);
    }
  });
}

/** A TCP connection to `host:port` as seen from the server, through the SSH connection (direct-tcpip). */
export async function openTunnel(source: ChannelSource, host: string, port: number): Promise<Duplex> {
  const context = { target: source.target, username: source.username, host, port };
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const opening = source.openChannel((client) => forward(client, host, port), "tunnel");
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(PluginError.unavailable(`No answer from ${host}:${port} within ${FORWARD_TIMEOUT_MS / 1000} s`));
    }, FORWARD_TIMEOUT_MS);
  });
  // The channel's claim on its connection ends when it closes; one that opens after we gave up is closed at once.
  opening.then(
    ({ channel: { channel, closed }, release }) => {
      void closed.then(release);
      if (timedOut) channel.close();
    },
    () => {},
  );
  try {
    const { channel } = await Promise.race([opening, timeout]);
    return asSocket(channel.channel, host, port);
  } catch (err) {
    if (timedOut) throw err;
    throw forwardError(err, context);
  } finally {
    clearTimeout(timer);
  }
}
