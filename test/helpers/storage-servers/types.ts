/** A real storage server for the storage contract suite, started on 127.0.0.1 by the test. */
export type StorageTarget = {
  /** The storage provider contribution id: `local`, `s3`, `sftp`, `ftp`. */
  provider: string;
  /** A configuration that works. */
  config: Record<string, unknown>;
  /** The same server with credentials it refuses (null when the provider has none, e.g. local disk). */
  badCredentials: Record<string, unknown> | null;
  /** A host or port where nothing answers. */
  unreachable: Record<string, unknown> | null;
  stop(): Promise<void>;
};
