import type { Socket } from "node:net";
import type { Client } from "ssh2";
import { poolKey, type SshConfig, target } from "@safehold/ssh-tools";
import { openClient } from "./ssh-client";

/** OpenSSH allows 10 sessions per connection (MaxSessions); stay below it. */
const MAX_CHANNELS_PER_CONNECTION = 8;
const MAX_CONNECTIONS_PER_SERVER = 4;
const IDLE_CLOSE_MS = 30_000;
const MAX_SESSION_REFUSALS = 10;

/** A channel (exec session, SFTP session, tunnel) and its claim on a connection, given back by `release()` once it is closed. */
export type OpenedChannel<T> = { channel: T; release(): void };

/** Where exec, openTcp and the file operations get their channels: the pool, or Test connection's own connection. */
export interface ChannelSource {
  /** `host:port`, for messages. */
  readonly target: string;
  readonly username: string;
  /** Runs `open` on a connection with room for one more channel. Rejects with `open`'s own error. */
  openChannel<T>(open: (client: Client) => Promise<T>, kind: "session" | "tunnel"): Promise<OpenedChannel<T>>;
}

type Pooled = {
  client: Client;
  socket: Socket;
  ready: Promise<void>;
  channels: number;
  /** How many channels it may carry; lowered when the server refuses a session. */
  capacity: number;
  closed: boolean;
  idleTimer: NodeJS.Timeout | undefined;
};

/**
 * The connections to one server (same host, port, user, key and pinned host key), shared by every
 * ServerConnection to it: at most MAX_CONNECTIONS_PER_SERVER, each carrying at most MAX_CHANNELS_PER_CONNECTION
 * channels; more channels wait for a free one. A connection with no channel is unref'd (it never keeps
 * Node running) and, once no ServerConnection holds a lease, closed after IDLE_CLOSE_MS.
 */
class ServerPool implements ChannelSource {
  readonly target: string;
  readonly username: string;
  private readonly connections: Pooled[] = [];
  private readonly waiting: Array<() => void> = [];
  private leases = 0;

  constructor(
    private readonly key: string,
    private readonly config: SshConfig,
  ) {
    this.target = target(config);
    this.username = config.username;
  }

  /** A ServerConnection's hold on the pool; resolves once a connection is up, so connect() reports what is wrong. */
  async lease(): Promise<() => void> {
    this.leases++;
    for (const connection of this.connections) {
      clearTimeout(connection.idleTimer);
      connection.idleTimer = undefined;
    }
    try {
      this.done(await this.reserve());
    } catch (err) {
      this.releaseLease();
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.releaseLease();
    };
  }

  async openChannel<T>(open: (client: Client) => Promise<T>, kind: "session" | "tunnel"): Promise<OpenedChannel<T>> {
    for (let refusals = 0; ; ) {
      const connection = await this.reserve();
      try {
        const channel = await open(connection.client);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          this.done(connection);
        };
        return { channel, release };
      } catch (err) {
        const others = connection.channels - 1;
        this.done(connection);
        // OpenSSH refuses a session beyond MaxSessions ("open failed"), counting closed ones it has not freed
        // yet: carry fewer on this connection (or, with nothing else open on it, give the server a moment) and
        // try again. A server that keeps refusing means it.
        const refused = kind === "session" && typeof (err as { reason?: unknown }).reason === "number";
        if (!refused || ++refusals > MAX_SESSION_REFUSALS) throw err;
        if (others > 0) connection.capacity = Math.min(connection.capacity, others);
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Counts one more channel on a ready connection with room for it, opening a connection or waiting as needed. */
  private async reserve(): Promise<Pooled> {
    for (;;) {
      const connection =
        this.connections.find((c) => !c.closed && c.channels < c.capacity) ??
        (this.connections.length < MAX_CONNECTIONS_PER_SERVER ? this.open() : undefined);
      if (connection) {
        this.use(connection);
        try {
          await connection.ready;
        } catch (err) {
          connection.channels--;
          throw err;
        }
        if (!connection.closed) return connection;
        this.done(connection);
        continue;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private open(): Pooled {
    const { client, socket, ready } = openClient(this.config, { acceptAnyHostKey: false });
    const connection: Pooled = { client, socket, ready, channels: 0, capacity: MAX_CHANNELS_PER_CONNECTION, closed: false, idleTimer: undefined };
    this.connections.push(connection);
    // A connection that fails, drops or is closed leaves the pool; channel holders see their own errors.
    const evict = () => this.evict(connection);
    client.on("error", evict);
    client.once("close", evict);
    ready.catch(evict);
    return connection;
  }

  private use(connection: Pooled): void {
    connection.channels++;
    clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    connection.socket.ref();
  }

  private done(connection: Pooled): void {
    connection.channels--;
    this.waiting.shift()?.();
    if (connection.channels === 0 && !connection.closed) {
      // Refusals may have come from sessions the server had not freed yet: start afresh.
      connection.capacity = MAX_CHANNELS_PER_CONNECTION;
      this.idle(connection);
    }
  }

  private idle(connection: Pooled): void {
    connection.socket.unref();
    if (this.leases > 0) return;
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(() => this.evict(connection), IDLE_CLOSE_MS);
    connection.idleTimer.unref();
  }

  private releaseLease(): void {
    this.leases--;
    if (this.leases === 0) for (const connection of this.connections) if (connection.channels === 0) this.idle(connection);
    this.forgetIfUnused();
  }

  private evict(connection: Pooled): void {
    if (connection.closed) return;
    connection.closed = true;
    clearTimeout(connection.idleTimer);
    connection.client.end();
    this.connections.splice(this.connections.indexOf(connection), 1);
    // Whoever waits may now open a replacement.
    for (const wake of this.waiting.splice(0)) wake();
    this.forgetIfUnused();
  }

  private forgetIfUnused(): void {
    if (this.leases === 0 && this.connections.length === 0 && this.waiting.length === 0 && pools.get(this.key) === this) pools.delete(this.key);
  }
}

const pools = new Map<string, ServerPool>();

export function serverPool(config: SshConfig): ServerPool {
  const key = poolKey(config);
  let pool = pools.get(key);
  if (!pool) {
    pool = new ServerPool(key, config);
    pools.set(key, pool);
  }
  return pool;
}
