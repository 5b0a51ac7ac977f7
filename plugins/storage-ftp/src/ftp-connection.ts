import { isIP } from "node:net";
import { posix } from "node:path";
import { Client } from "basic-ftp";
import type { FtpConfig } from "./config";
import { TIMEOUT_MS, connectError } from "./errors";

/** An unused connection is closed after this long: before servers drop idle sessions, and so nobody's left open. */
const IDLE_CLOSE_MS = 30_000;

/** A logged-in client and the absolute folder the objects live in. */
export type Connected = { client: Client; root: string };

/** Connects and logs in; rejects with a one-line message. */
export async function connectFtp(config: FtpConfig): Promise<Connected> {
  const client = new Client(TIMEOUT_MS);
  try {
    await client.access({
      host: config.host,
      port: config.port,
      user: config.user,
      password: config.password,
      secure: config.secure === "none" ? false : config.secure === "implicit" ? "implicit" : true,
      // SNI takes host names only (RFC 6066); an address is checked against the certificate without it.
      secureOptions: { rejectUnauthorized: !config.allowSelfSigned, ...(isIP(config.host) ? {} : { servername: config.host }) },
    });
    // Absolute paths from here on: creating folders (CWD, MKD) moves the working folder.
    const root = config.root.startsWith("/") ? config.root : posix.join(await client.pwd(), config.root);
    return { client, root };
  } catch (err) {
    client.close();
    throw connectError(err, config);
  }
}

/**
 * One FTP connection for a storage client. FTP runs one command at a time on a connection, so operations take
 * turns (`acquire`): concurrent callers (a clean-up deleting several objects at once) queue rather than opening
 * a connection each, which servers limit per user and answer slowly (login, and a TLS handshake for FTPS).
 * A download keeps its turn until its stream closes. The control socket is unref'd while no operation runs,
 * so it never keeps Node running, and closed after IDLE_CLOSE_MS; a closed or broken connection is reopened
 * on the next turn.
 */
export class FtpLink {
  private last: Promise<void> = Promise.resolve();
  private current: Connected | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly config: FtpConfig) {}

  /** Waits for this caller's turn; the returned function ends it (calling it again does nothing). */
  async acquire(): Promise<() => void> {
    const previous = this.last;
    let done!: () => void;
    this.last = new Promise<void>((resolve) => (done = resolve));
    await previous;
    this.busy = true;
    clearTimeout(this.idleTimer);
    this.current?.client.ftp.socket.ref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy = false;
      this.idle();
      done();
    };
  }

  /** The connection, (re)opened as needed. Call only during a turn. */
  async connection(): Promise<Connected> {
    if (!this.current || this.current.client.closed) {
      this.current = await connectFtp(this.config);
    }
    return this.current;
  }

  /** Drops the connection (after a failed transfer its state is unknown); the next turn opens a new one. */
  reset(): void {
    this.current?.client.close();
    this.current = null;
  }

  private idle(): void {
    const current = this.current;
    if (!current || current.client.closed) return;
    current.client.ftp.socket.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.busy && this.current === current) this.reset();
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.reset();
  }
}
