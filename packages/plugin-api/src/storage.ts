/** Storage providers: where backups are kept (`local`, `s3`, ...). */
import type { Readable } from "node:stream";
import type { CallContext, PluginConfig, TestOptions, TestResult } from "./context.js";

export type StoredObject = { key: string; size: number; lastModified: Date };

export interface StorageClient {
  /** Checks the settings end to end (e.g. writes, lists and removes a probe object). */
  testConnection(context: CallContext, options: TestOptions): Promise<TestResult>;
  /**
   * Streams `content` to `key`. The object must not appear under `key` until it is complete: a failed or
   * aborted put leaves nothing that looks finished. Resolves with the stored size in bytes.
   */
  put(key: string, content: Readable, options?: { signal?: AbortSignal }): Promise<{ size: number }>;
  /**
   * Streams the object, from byte `start` when given (a resumed download); rejects with a message naming the
   * key (a `NOT_FOUND` PluginError) when it does not exist.
   */
  get(key: string, options?: { start?: number }): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  /**
   * A URL that downloads the object without credentials until it expires; only for providers that can sign.
   * Optional: the host fills in one that throws `NOT_SUPPORTED`, and the console then serves the download itself.
   */
  presignGet?(key: string, expiresInSeconds: number, fileName: string): Promise<string>;
  /** Releases connections. Optional: the host fills in a no-op. */
  close?(): Promise<void>;
}

export interface StorageProviderContribution {
  create(config: PluginConfig): StorageClient;
}
