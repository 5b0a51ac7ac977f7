import { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { CallContext, PluginConfig, StorageClient, StorageProviderContribution, StoredObject, TestOptions } from "@safehold/plugin-api";
import { createS3Client } from "./s3-client";
import { operationError, s3Problem } from "./s3-errors";
import { resolveSettings, type S3Settings } from "./settings";
import { probeBucket } from "./test-connection";
import { uploadStream } from "./upload-stream";

/** A part upload or a listing whose socket is silent this long has stalled. */
const TRANSFER_IDLE_TIMEOUT_MS = 120_000;
const TRANSFER_ATTEMPTS = 3;

/** A header value S3 signs into the URL: quotes, backslashes and anything outside printable ASCII would break it. */
function attachment(fileName: string): string {
  return `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, "_")}"`;
}

/**
 * Keys given to the client are relative to the configured prefix, which is applied here only. The settings and
 * SDK clients are made on first use, so a configuration mistake is reported by the operation (testConnection
 * returns it as its message) rather than by `create`.
 */
class S3Storage implements StorageClient {
  private resolved?: S3Settings;
  private transfers?: S3Client;
  private downloads?: S3Client;

  constructor(private readonly config: PluginConfig) {}

  private get settings(): S3Settings {
    return (this.resolved ??= resolveSettings(this.config));
  }

  private get client(): S3Client {
    return (this.transfers ??= createS3Client(this.settings, { maxAttempts: TRANSFER_ATTEMPTS, idleTimeoutMs: TRANSFER_IDLE_TIMEOUT_MS }));
  }

  /** No idle timeout: whoever reads a download may pause it for as long as it needs. */
  private get reader(): S3Client {
    return (this.downloads ??= createS3Client(this.settings, { maxAttempts: TRANSFER_ATTEMPTS }));
  }

  /** Same rule as local disk, so keys stay portable between providers. */
  private objectKey(key: string): string {
    if (!key || key.startsWith("/") || key.split("/").includes("..")) throw new Error(`Invalid object key "${key}"`);
    return this.settings.prefix + key;
  }

  async testConnection(_context: CallContext, { signal }: TestOptions) {
    let settings: S3Settings;
    try {
      settings = this.settings;
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    return probeBucket(settings, signal);
  }

  async put(key: string, content: Readable, options: { signal?: AbortSignal } = {}) {
    const Key = this.objectKey(key);
    try {
      return { size: await uploadStream(this.client, this.settings.bucket, Key, content, options.signal) };
    } catch (err) {
      throw operationError(err, this.settings, "write to", key);
    }
  }

  async get(key: string, options: { start?: number } = {}) {
    const Key = this.objectKey(key);
    const Range = options.start ? `bytes=${options.start}-` : undefined;
    try {
      const { Body } = await this.reader.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key, Range }));
      if (!(Body instanceof Readable)) throw new Error(`${this.settings.displayEndpoint} sent no content for ${key}`);
      return Body;
    } catch (err) {
      // Resuming at (or past) the end of an object: there is nothing left to read, as with a file.
      if (Range && (err as Error).name === "InvalidRange") return Readable.from([]);
      throw operationError(err, this.settings, "read from", key);
    }
  }

  async delete(key: string) {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers say NoSuchKey instead.
      if (s3Problem(err)?.kind === "no-key") return;
      throw operationError(err, this.settings, "delete from", key);
    }
  }

  async list(prefix: string) {
    const { bucket, prefix: root } = this.settings;
    const found: StoredObject[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: bucket, Prefix: root + prefix })) {
        for (const object of page.Contents ?? []) {
          // Keys ending in "/" are the folder markers web consoles create, not objects anyone stored.
          if (!object.Key || object.Key.endsWith("/")) continue;
          found.push({ key: object.Key.slice(root.length), size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
        }
      }
    } catch (err) {
      throw operationError(err, this.settings, "list", prefix);
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async presignGet(key: string, expiresInSeconds: number, fileName: string) {
    const command = new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), ResponseContentDisposition: attachment(fileName) });
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async close() {
    this.transfers?.destroy();
    this.downloads?.destroy();
  }
}

export const s3StorageProvider: StorageProviderContribution = {
  create(config: PluginConfig) {
    return new S3Storage(config);
  },
};
