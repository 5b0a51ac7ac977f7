import net from "node:net";
import { Client, type SFTPWrapper } from "ssh2";
import { describeConnectError, fingerprint, READY_TIMEOUT_MS, startKeepalive } from "@safehold/ssh-tools";
import type { SftpConfig } from "./config";
import { changedMessage, notPinnedMessage } from "./host-key-messages";

/** One SSH connection and the SFTP session every operation of a storage client shares. */
export type SftpConnection = {
  client: Client;
  sftp: SFTPWrapper;
  /** The TCP socket under it: referenced while an operation runs, unref'd while idle so it never keeps Node running. */
  socket: net.Socket;
  /** The fingerprint of the host key the server presented. */
  presented: string;
};

/** Thrown when the connection could not be made; `presented` is the host key seen, if the server got that far. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly presented: string | null,
  ) {
    super(message);
  }
}

function authFailedMessage(config: SftpConfig): string {
  const user = `user "${config.username}"`;
  if (config.password && config.privateKey) return `The server refused both the key and the password for ${user} (authentication failed)`;
  if (config.password) return `The server refused the password for ${user} (authentication failed)`;
  return describeConnectError({ level: "client-authentication" }, { target: config.target, username: config.username, presented: null, pinned: null });
}

function describe(err: unknown, config: SftpConfig, presented: string | null, acceptAnyHostKey: boolean): string {
  const pinned = config.hostKeyFingerprint;
  if (presented && pinned && presented !== pinned) return changedMessage(config.target, presented, pinned);
  if (presented && !pinned && !acceptAnyHostKey) return notPinnedMessage(config.target);
  if ((err as { level?: string }).level === "client-authentication") return authFailedMessage(config);
  return describeConnectError(err, { target: config.target, username: config.username, presented, pinned });
}

function openSession(client: Client, config: SftpConfig): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    client.sftp((err, sftp) => {
      if (err) {
        const message = /subsystem/i.test(err.message)
          ? `The SSH server at ${config.target} does not offer SFTP (Subsystem sftp in its sshd_config)`
          : `Cannot start SFTP on ${config.target}: ${err.message}`;
        return reject(new Error(message));
      }
      // A protocol error also fails every pending request, which is where it is reported.
      sftp.on("error", () => {});
      resolve(sftp);
    });
  });
}

/**
 * Logs in with the password and/or the key and opens an SFTP session. The host key must match the pinned one;
 * with `acceptAnyHostKey` (Test connection before a key is pinned) an unpinned server is accepted, but a pinned
 * key that differs never is.
 */
export async function openSftpConnection(config: SftpConfig, options: { acceptAnyHostKey: boolean }): Promise<SftpConnection> {
  let presented: string | null = null;
  // Our own socket, so an idle connection can be unref'd.
  const socket = net.connect({ host: config.host, port: config.port });
  // SFTP is request/response: without this every small request waits on Nagle's algorithm.
  socket.setNoDelay(true);
  const client = new Client();
  // Servers that take passwords through PAM offer keyboard-interactive, not "password": answer its prompts with it.
  client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => config.password ?? "")));
  try {
    await new Promise<void>((resolve, reject) => {
      client.on("error", reject);
      client.once("close", () => reject(new Error("the server closed the connection")));
      client.once("ready", () => resolve());
      client.connect({
        sock: socket,
        username: config.username,
        password: config.password,
        privateKey: config.privateKey,
        passphrase: config.passphrase,
        tryKeyboard: config.password !== undefined,
        readyTimeout: READY_TIMEOUT_MS,
        hostVerifier: (key: Buffer) => {
          presented = fingerprint(key);
          return config.hostKeyFingerprint ? presented === config.hostKeyFingerprint : options.acceptAnyHostKey;
        },
      });
    });
  } catch (err) {
    client.end();
    socket.destroy();
    throw new ConnectError(describe(err, config, presented, options.acceptAnyHostKey), presented);
  }
  // Later errors reach whoever uses the connection through their pending requests.
  client.on("error", () => {});
  startKeepalive(client);
  try {
    return { client, sftp: await openSession(client, config), socket, presented: presented! };
  } catch (err) {
    client.end();
    throw new ConnectError((err as Error).message, presented);
  }
}

