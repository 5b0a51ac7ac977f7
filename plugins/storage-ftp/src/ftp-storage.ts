import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client } from "basic-ftp";
import type { CallContext, PluginConfig, StorageClient, StorageProviderContribution, TestOptions } from "@safehold/plugin-api";
import { parseFtpConfig, type FtpConfig } from "./config";
import { PluginError } from "@safehold/plugin-api";
import { commandError, describeCommandError, isUnavailable } from "./errors";
import { FtpLink } from "./ftp-connection";
import { listFiles, makeDirectories, removeFile } from "./remote-files";
import { testFtpStorage } from "./test-connection";

/** In-flight uploads carry this marker beside their key; they are never listed and never look complete. */
const PARTIAL = ".partial-";

class FtpStorage implements StorageClient {
  private readonly connection: FtpLink | null;

  constructor(private readonly settings: FtpConfig | Error) {
    this.connection = settings instanceof Error ? null : new FtpLink(settings);
  }

  private get config(): FtpConfig {
    if (this.settings instanceof Error) throw this.settings;
    return this.settings;
  }

  private get link(): FtpLink {
    if (!this.connection) throw this.settings as Error;
    return this.connection;
  }

  private where(): string {
    return `${this.config.root} on ${this.config.port === 21 ? this.config.host : this.config.target}`;
  }

  /** Keys are relative paths below the root; anything that would leave it, or break an FTP command line, is refused. */
  private relative(key: string): string {
    const normal = posix.normalize(key);
    if (!key || key.startsWith("/") || normal === "." || normal === ".." || normal.startsWith("../") || /[\r\n]/.test(key)) {
      throw new Error(`Invalid object key "${key}"`);
    }
    return normal;
  }

  /** Runs `operation` in this client's turn on the connection. */
  private async inTurn<T>(operation: (client: Client, root: string) => Promise<T>): Promise<T> {
    const release = await this.link.acquire();
    try {
      const { client, root } = await this.link.connection();
      return await operation(client, root);
    } finally {
      release();
    }
  }

  async testConnection(_context: CallContext, { signal }: TestOptions) {
    signal.throwIfAborted();
    if (this.settings instanceof Error) return { ok: false, message: this.settings.message };
    return testFtpStorage(this.settings, this.where());
  }

  async put(key: string, content: Readable, options: { signal?: AbortSignal } = {}) {
    const relative = this.relative(key);
    const suffix = `${PARTIAL}${randomBytes(6).toString("hex")}`;
    return this.inTurn(async (client, root) => {
      const file = posix.join(root, relative);
      const temp = `${file}${suffix}`;
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          sent += chunk.length;
          callback(null, chunk);
        },
      });
      try {
        await makeDirectories(client, posix.dirname(file));
        const feeding = pipeline(content, counter, { signal: options.signal });
        const upload = client.uploadFrom(counter, temp).catch((err: unknown) => {
          // A refused STOR never reads the source: stop feeding it.
          counter.destroy(err as Error);
          throw err;
        });
        await Promise.all([feeding, upload]);
        // The server's count, not ours: a transfer cut short can still end in a "226 complete" on some servers.
        const stored = await client.size(temp);
        if (stored !== sent) throw new Error(`the server stored ${stored} of the ${sent} bytes sent`);
        await this.rename(client, temp, file);
        return { size: sent };
      } catch (err) {
        // After a failed transfer the connection's state is unknown: clean up on a fresh one.
        this.link.reset();
        await this.link.connection()
          .then(({ client: fresh }) => removeFile(fresh, temp))
          .catch(() => {});
        // A failing source or an abort speaks for itself; only the server's own errors need the place named.
        if (content.errored || options.signal?.aborted) throw err;
        throw commandError(`Cannot write ${key} to ${this.where()}: ${describeCommandError(err, this.config)}`, err);
      }
    });
  }

  /** Renames over an existing object; servers that refuse to overwrite on rename get the old one removed first. */
  private async rename(client: Client, from: string, to: string): Promise<void> {
    try {
      await client.rename(from, to);
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      await removeFile(client, to);
      await client.rename(from, to);
    }
  }

  async get(key: string, options: { start?: number } = {}) {
    const relative = this.relative(key);
    const link = this.link;
    const release = await link.acquire();
    try {
      const { client, root } = await link.connection();
      const file = posix.join(root, relative);
      const size = await client.size(file).catch((err: unknown) => {
        if (isUnavailable(err)) throw PluginError.notFound(`Object ${key} does not exist in ${this.config.root}`);
        throw commandError(`Cannot read ${key} in ${this.where()}: ${describeCommandError(err, this.config)}`, err);
      });
      const start = options.start ?? 0;
      if (start >= size) {
        release();
        return Readable.from([]);
      }
      const out = new PassThrough();
      let settled = false;
      client.downloadTo(out, file, start).then(
        () => {
          settled = true;
          release();
        },
        (err: unknown) => {
          settled = true;
          link.reset();
          release();
          out.destroy(commandError(`Reading ${key} failed: ${describeCommandError(err, this.config)}`, err));
        },
      );
      // A reader that stops early leaves the server sending: only closing the connection stops it. (A reader
      // that read to the end closes before the server's "226 complete" settles the download, which releases.)
      out.once("close", () => {
        if (settled || out.readableEnded) return;
        link.reset();
        release();
      });
      return out;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Removes the object, any unfinished upload of it (left by a crash), and folders that become empty. */
  async delete(key: string) {
    const relative = this.relative(key);
    await this.inTurn(async (client, root) => {
      const file = posix.join(root, relative);
      const dir = posix.dirname(file);
      try {
        await removeFile(client, file);
        const partialPrefix = `${posix.basename(file)}${PARTIAL}`;
        for (const name of await listNames(client, dir)) {
          if (name.startsWith(partialPrefix)) await removeFile(client, posix.join(dir, name));
        }
      } catch (err) {
        throw commandError(`Cannot delete ${key} in ${this.where()}: ${describeCommandError(err, this.config)}`, err);
      }
      // A folder still holding something refuses RMD, which ends the climb.
      for (let folder = dir; folder !== root && folder !== "/"; folder = posix.dirname(folder)) {
        try {
          await client.removeEmptyDir(folder);
        } catch {
          break;
        }
      }
    });
  }

  async list(prefix: string) {
    const base = prefix.includes("/") ? this.relative(prefix.slice(0, prefix.lastIndexOf("/"))) : "";
    return this.inTurn(async (client, root) => {
      try {
        const found = await listFiles(client, root, base, prefix);
        return found.filter((o) => !o.key.includes(PARTIAL)).sort((a, b) => a.key.localeCompare(b.key));
      } catch (err) {
        throw commandError(`Cannot list ${prefix || "the objects"} in ${this.where()}: ${describeCommandError(err, this.config)}`, err);
      }
    });
  }

  async close() {
    this.connection?.close();
  }
}

async function listNames(client: Client, dir: string): Promise<string[]> {
  try {
    return (await client.list(dir)).map((info) => info.name);
  } catch (err) {
    if (isUnavailable(err)) return [];
    throw err;
  }
}

export const ftpStorageProvider: StorageProviderContribution = {
  create(config: PluginConfig) {
    // A bad configuration is reported by Test connection (and by any operation), not thrown at creation.
    let settings: FtpConfig | Error;
    try {
      settings = parseFtpConfig(config);
    } catch (err) {
      settings = err as Error;
    }
    return new FtpStorage(settings);
  },
};
