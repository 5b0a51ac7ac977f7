import net from "node:net";
import { Client } from "ssh2";
import { connectError, fingerprint, READY_TIMEOUT_MS, type SshConfig, startKeepalive, target } from "@safehold/ssh-tools";

export type OpenedClient = {
  client: Client;
  /** The TCP socket under the connection: the pool refs it while channels are open and unrefs it when idle. */
  socket: net.Socket;
  /** Resolves once authenticated; rejects with a one-line message. */
  ready: Promise<void>;
  /** The fingerprint of the host key the server presented, once it has. */
  presentedFingerprint(): string | null;
};

/**
 * Opens one SSH connection. With `acceptAnyHostKey` (Test connection before a key is pinned) an unpinned
 * server is accepted; a pinned key that differs is always refused.
 */
export function openClient(config: SshConfig, options: { acceptAnyHostKey: boolean }): OpenedClient {
  const pinned = config.hostKeyFingerprint;
  let presented: string | null = null;
  // Our own socket, so the pool can unref it while the connection idles.
  const socket = net.connect({ host: config.host, port: config.port });
  // Request/response traffic (SFTP, channel opens) would otherwise wait on Nagle's algorithm at every step.
  socket.setNoDelay(true);
  const client = new Client();
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(connectError(err, { target: target(config), username: config.username, presented, pinned }));
    client.on("error", fail);
    client.once("close", () => fail(new Error("the server closed the connection")));
    client.once("ready", () => {
      startKeepalive(client);
      resolve();
    });
    try {
      client.connect({
        sock: socket,
        username: config.username,
        privateKey: config.privateKey,
        passphrase: config.passphrase,
        readyTimeout: READY_TIMEOUT_MS,
        hostVerifier: (key: Buffer) => {
          presented = fingerprint(key);
          return pinned ? presented === pinned : options.acceptAnyHostKey;
        },
      });
    } catch (err) {
      socket.destroy();
      fail(err);
    }
  });
  return { client, socket, ready, presentedFingerprint: () => presented };
}

