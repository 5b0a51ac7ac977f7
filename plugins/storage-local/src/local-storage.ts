import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PluginError } from "@safehold/plugin-api";
import type { CallContext, PluginConfig, StorageClient, StorageProviderContribution, StoredObject, TestOptions } from "@safehold/plugin-api";

/** In-flight uploads carry this marker; they are never listed and never look complete. */
const PARTIAL = ".partial-";

function describeFsError(err: unknown, root: string): Error {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case "EACCES":
    case "EPERM":
      return new Error(`No permission to write in ${root}`);
    case "ENOSPC":
      return new Error(`The disk holding ${root} is full`);
    case "EROFS":
      return new Error(`${root} is on a read-only file system`);
    case "ENOTDIR":
      return new Error(`${root} is not a folder`);
    default:
      return new Error(e.message);
  }
}

class LocalStorage implements StorageClient {
  constructor(private readonly root: string) {}

  /** Keys are relative paths; anything that would leave the root is refused. */
  private resolve(key: string): string {
    const file = path.resolve(this.root, key);
    if (!key || path.isAbsolute(key) || !file.startsWith(this.root + path.sep)) throw new Error(`Invalid object key "${key}"`);
    return file;
  }

  async testConnection(_context: CallContext, { signal }: TestOptions) {
    signal.throwIfAborted();
    try {
      await fs.mkdir(this.root, { recursive: true });
      const probe = path.join(this.root, `.safehold-probe-${randomBytes(4).toString("hex")}`);
      await fs.writeFile(probe, "ok");
      await fs.rm(probe);
      const stats = await fs.statfs(this.root);
      const freeGb = (stats.bavail * stats.bsize) / 1024 ** 3;
      return { ok: true, message: `${this.root} is writable; ${freeGb.toFixed(1)} GB free`, details: { freeBytes: stats.bavail * stats.bsize } };
    } catch (err) {
      return { ok: false, message: describeFsError(err, this.root).message };
    }
  }

  async put(key: string, content: Readable, options: { signal?: AbortSignal } = {}) {
    const file = this.resolve(key);
    const temp = `${file}${PARTIAL}${randomBytes(6).toString("hex")}`;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const out = createWriteStream(temp, { flags: "wx" });
      await pipeline(content, out, { signal: options.signal });
      const handle = await fs.open(temp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
      return { size: (await fs.stat(file)).size };
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw await this.explainWriteFailure(err, key);
    }
  }

  /** A recursive mkdir on a read-only or unwritable disk says ENOENT; the root's own writability tells the real reason. */
  private async explainWriteFailure(err: unknown, key: string): Promise<Error> {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== "ENOENT" || e.syscall !== "mkdir") return describeFsError(err, this.root);
    try {
      await fs.access(this.root, fs.constants.W_OK);
    } catch (probe) {
      return describeFsError(probe, this.root);
    }
    return new Error(`Cannot create the folder for ${key} in ${this.root}`);
  }

  async get(key: string, options: { start?: number } = {}) {
    const file = this.resolve(key);
    try {
      await fs.access(file);
    } catch {
      throw PluginError.notFound(`Object ${key} does not exist in ${this.root}`);
    }
    return createReadStream(file, { start: options.start });
  }

  /** Removes the object, any unfinished upload of it (left by a crash), and folders that become empty. */
  async delete(key: string) {
    const file = this.resolve(key);
    await fs.rm(file, { force: true });
    const dir = path.dirname(file);
    const leftovers = await fs.readdir(dir).catch(() => [] as string[]);
    const partialPrefix = `${path.basename(file)}${PARTIAL}`;
    await Promise.all(leftovers.filter((name) => name.startsWith(partialPrefix)).map((name) => fs.rm(path.join(dir, name), { force: true })));
    for (let folder = dir; folder.startsWith(this.root + path.sep); folder = path.dirname(folder)) {
      try {
        await fs.rmdir(folder);
      } catch {
        break;
      }
    }
  }

  async list(prefix: string) {
    const found: StoredObject[] = [];
    let entries: string[];
    try {
      entries = await fs.readdir(this.root, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return found;
      throw describeFsError(err, this.root);
    }
    for (const entry of entries) {
      const key = entry.split(path.sep).join("/");
      if (!key.startsWith(prefix) || key.includes(PARTIAL)) continue;
      const stats = await fs.stat(path.join(this.root, entry));
      if (stats.isFile()) found.push({ key, size: stats.size, lastModified: stats.mtime });
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }
}

export const localStorageProvider: StorageProviderContribution = {
  create(config: PluginConfig) {
    return new LocalStorage(path.resolve(String(config.path)));
  },
};
