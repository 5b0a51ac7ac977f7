import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PluginError } from "@safehold/plugin-api";
import type { CallContext, PluginConfig, StorageClient, StorageProviderContribution, StoredObject, TestOptions } from "@safehold/plugin-api";
import { parseSftpConfig, type SftpConfig } from "./config";
import { openSftpConnection, type SftpConnection } from "./connection";
import { notPinnedMessage } from "./host-key-messages";
import { describeSftpError, isMissing, makeDirectories, readFolder, removeFile, replace, stat } from "./remote-files";
import { SftpSession } from "./session";
import { testSftpStorage } from "./test-connection";
import { SftpWriteStream, sftpReadStream } from "./transfer-streams";

/** In-flight uploads carry this marker beside their key; they are never listed and never look complete. */
const PARTIAL = ".partial-";
/** An unused connection is closed after this long, so a client nobody closes does not keep a server session. */
const IDLE_CLOSE_MS = 30_000;

type Connected = SftpConnection & { session: SftpSession };

/**
 * One SSH connection and one SFTP session per client, opened on first use and shared by every operation
 * (SFTP carries many requests at once). While no operation runs its socket is unref'd, so it never keeps Node
 * running, and it is closed after IDLE_CLOSE_MS; a dropped connection is reopened by the next operation.
 */
class SftpStorage implements StorageClient {
  private connecting: Promise<Connected> | null = null;
  private connected: Connected | null = null;
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: SftpConfig | Error) {}

  private get config(): SftpConfig {
    if (this.settings instanceof Error) throw this.settings;
    return this.settings;
  }

  private where(): string {
    return `${this.config.root} on ${this.config.port === 22 ? this.config.host : this.config.target}`;
  }

  /** Keys are relative paths below the root; anything that would leave it is refused. */
  private path(key: string): string {
    const normal = posix.normalize(key);
    if (!key || key.startsWith("/") || normal === "." || normal === ".." || normal.startsWith("../")) throw new Error(`Invalid object key "${key}"`);
    return posix.join(this.config.root, normal);
  }

  private connection(): Promise<Connected> {
    const config = this.config;
    if (!config.hostKeyFingerprint) return Promise.reject(new Error(notPinnedMessage(config.target)));
    if (!this.connecting) {
      const connecting = openSftpConnection(config, { acceptAnyHostKey: false }).then((opened) => {
        const connected = { ...opened, session: new SftpSession(opened.sftp, config.target) };
        const forget = () => {
          if (this.connecting !== connecting) return;
          this.connecting = null;
          this.connected = null;
          opened.client.end();
        };
        opened.client.once("close", forget);
        opened.sftp.once("end", forget);
        this.connected = connected;
        this.onActivity();
        return connected;
      });
      this.connecting = connecting;
      connecting.catch(() => {
        if (this.connecting === connecting) this.connecting = null;
      });
    }
    return this.connecting;
  }

  /** An operation starts: the connection must keep Node running until it ends. */
  private hold(): void {
    this.active++;
    this.onActivity();
  }

  private release(): void {
    this.active--;
    this.onActivity();
  }

  private onActivity(): void {
    clearTimeout(this.idleTimer);
    const connected = this.connected;
    if (!connected) return;
    if (this.active > 0) return void connected.socket.ref();
    connected.socket.unref();
    this.idleTimer = setTimeout(() => {
      if (this.active === 0 && this.connected === connected) void this.close();
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  private async withSession<T>(operation: (session: SftpSession) => Promise<T>): Promise<T> {
    this.hold();
    try {
      return await operation((await this.connection()).session);
    } finally {
      this.release();
    }
  }

  async testConnection(_context: CallContext, { signal }: TestOptions) {
    signal.throwIfAborted();
    if (this.settings instanceof Error) return { ok: false, message: this.settings.message };
    return testSftpStorage(this.settings, this.where());
  }

  async put(key: string, content: Readable, options: { signal?: AbortSignal } = {}) {
    const file = this.path(key);
    const temp = `${file}${PARTIAL}${randomBytes(6).toString("hex")}`;
    return this.withSession(async (session) => {
      try {
        await makeDirectories(session, posix.dirname(file));
        const handle = await session.request<Buffer>((sftp, cb) => sftp.open(temp, "wx", cb));
        const writer = new SftpWriteStream(session, handle);
        await pipeline(content, writer, { signal: options.signal });
        await replace(session, temp, file);
        return { size: writer.bytesWritten };
      } catch (err) {
        await removeFile(session, temp).catch(() => {});
        // A failing source or an abort speaks for itself; only SFTP's own errors need the place named.
        if (content.errored || options.signal?.aborted) throw err;
        throw new Error(`Cannot write ${key} to ${this.where()}: ${describeSftpError(session, err)}`);
      }
    });
  }

  async get(key: string, options: { start?: number } = {}) {
    const file = this.path(key);
    this.hold();
    try {
      const { session } = await this.connection();
      const stats = await stat(session, file).catch((err: unknown) => {
        if (isMissing(err)) return null;
        throw new Error(`Cannot read ${key} in ${this.where()}: ${describeSftpError(session, err)}`);
      });
      if (!stats?.isFile()) throw PluginError.notFound(`Object ${key} does not exist in ${this.config.root}`);
      const handle = await session.request<Buffer>((sftp, cb) => sftp.open(file, "r", cb)).catch((err: unknown) => {
        throw new Error(`Cannot read ${key} in ${this.where()}: ${describeSftpError(session, err)}`);
      });
      const stream = sftpReadStream(session, handle, { start: options.start ?? 0, size: stats.size, name: key });
      stream.once("close", () => this.release());
      return stream;
    } catch (err) {
      this.release();
      throw err;
    }
  }

  /** Removes the object, any unfinished upload of it (left by a crash), and folders that become empty. */
  async delete(key: string) {
    const file = this.path(key);
    return this.withSession(async (session) => {
      try {
        await removeFile(session, file);
        const dir = posix.dirname(file);
        const partialPrefix = `${posix.basename(file)}${PARTIAL}`;
        for (const entry of await readFolder(session, dir)) {
          if (entry.filename.startsWith(partialPrefix)) await removeFile(session, posix.join(dir, entry.filename));
        }
      } catch (err) {
        throw new Error(`Cannot delete ${key} in ${this.where()}: ${describeSftpError(session, err)}`);
      }
      // A folder still holding something refuses rmdir, which ends the climb.
      for (let folder = posix.dirname(file); folder !== this.config.root && folder !== "." && folder !== "/"; folder = posix.dirname(folder)) {
        try {
          await session.request((sftp, cb) => sftp.rmdir(folder, cb));
        } catch {
          break;
        }
      }
    });
  }

  /** Walks only the folder the prefix names (not the whole root), skipping subfolders that cannot match. */
  async list(prefix: string) {
    const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const start = base ? this.path(base) : this.config.root;
    return this.withSession(async (session) => {
      const found: StoredObject[] = [];
      const walk = async (dir: string, keyPrefix: string): Promise<void> => {
        for (const entry of await readFolder(session, dir)) {
          const key = `${keyPrefix}${entry.filename}`;
          if (entry.attrs.isDirectory()) {
            if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(posix.join(dir, entry.filename), `${key}/`);
          } else if (entry.attrs.isFile() && key.startsWith(prefix) && !entry.filename.includes(PARTIAL)) {
            found.push({ key, size: entry.attrs.size, lastModified: new Date(entry.attrs.mtime * 1000) });
          }
        }
      };
      try {
        await walk(start, base ? `${base}/` : "");
      } catch (err) {
        throw new Error(`Cannot list ${prefix || "the objects"} in ${this.where()}: ${describeSftpError(session, err)}`);
      }
      return found.sort((a, b) => a.key.localeCompare(b.key));
    });
  }

  async close() {
    clearTimeout(this.idleTimer);
    const connecting = this.connecting;
    this.connecting = null;
    this.connected = null;
    const connected = await connecting?.catch(() => null);
    connected?.client.end();
  }
}

export const sftpStorageProvider: StorageProviderContribution = {
  create(config: PluginConfig) {
    // A bad configuration is reported by Test connection (and by any operation), not thrown at creation.
    let settings: SftpConfig | Error;
    try {
      settings = parseSftpConfig(config);
    } catch (err) {
      settings = err as Error;
    }
    return new SftpStorage(settings);
  },
};
