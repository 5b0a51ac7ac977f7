/**
 * The plugin API: what a plugin's `activate` receives and what it returns. Plugins import only types from it
 * (`import type { ... } from "@safehold/plugin-api"`), so they never depend on the console at run time.
 *
 * A plugin is a folder under `plugins/` whose package.json is its manifest (see README, "Writing a plugin").
 * Its `main` module exports `activate(context)`, which returns the implementations of the contributions
 * the manifest declares, keyed by contribution id.
 */
import type { Duplex, Readable } from "node:stream";

/** Version of this API; manifests declare the range they support in `engines.safehold`. */
export const PLUGIN_API_VERSION = "1.1.0";

export type PluginConfig = Record<string, unknown>;

/** What "Test connection" reports. `message` is shown to the operator as is: one clear sentence. */
export type TestResult = { ok: boolean; message: string; details?: Record<string, unknown> };

export interface PluginContext {
  /** The plugin's id (its manifest `name`). */
  readonly pluginId: string;
  /** Absolute path of the plugin's folder. */
  readonly pluginDir: string;
  readonly log: (message: string) => void;
}

export interface PluginActivation {
  sources?: Record<string, SourceContribution>;
  storageProviders?: Record<string, StorageProviderContribution>;
  serverKinds?: Record<string, ServerKindContribution>;
  notifiers?: Record<string, NotifierContribution>;
}

export interface PluginModule {
  activate(context: PluginContext): PluginActivation | Promise<PluginActivation>;
  deactivate?(): void | Promise<void>;
}

/* ---------- Server kinds: where environments live (`local`, `ssh`, ...) ---------- */

export type ExecOptions = {
  /** Streamed to the command's standard input; the input is ended when this stream ends. */
  stdin?: Readable;
  /** Extra environment variables. They may hold passwords: never put them on a command line a server could show. */
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
};

export type ExecExit = { code: number | null; signal: string | null };

export interface ExecHandle {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the command has exited and its output streams are closed. Rejects only if it could not be started. */
  readonly exit: Promise<ExecExit>;
  kill(): void;
}

/** An open connection to a server. A source uses only this, so it never cares whether it runs locally or over SSH. */
export interface ServerConnection {
  /** Runs `command` with `args` (no shell). A missing command rejects `exit` with a clear message. */
  exec(command: string, args: string[], options?: ExecOptions): ExecHandle;
  /** A TCP connection to `host:port` as seen from the server (e.g. its PostgreSQL on 127.0.0.1). */
  openTcp(host: string, port: number): Promise<Duplex>;
  /** Streams a file from the server. */
  readFile(path: string): Promise<Readable>;
  /** Writes a stream to a file on the server, creating parent directories; resolves when it is complete. */
  writeFile(path: string, content: Readable): Promise<void>;
  close(): Promise<void>;
}

/**
 * A server connection as sources receive it: the kind's connection under the rules an admin set for the server.
 * Commands run by name are mapped to the programs the admin chose; folders and databases are checked against
 * the server's allowed folders and database pattern. Sources check every folder they read, replace or remove
 * and every database they touch, including those they derive from their settings.
 */
export interface ManagedServer extends ServerConnection {
  /**
   * Resolves `path` on the server (symbolic links followed, `realpath -m`) and checks that it lies inside one of
   * the server's allowed folders; resolves with the resolved path. `replace`: the folder may be moved aside or
   * removed, so it must be strictly inside an allowed folder and not a mount point. Rejects with a message an
   * operator can act on.
   */
  resolveFolder(path: string, use: "read" | "replace"): Promise<string>;
  /** Throws a message an operator can act on when the server's database pattern does not allow `database`. */
  checkDatabase(database: string): void;
}

export interface ServerKindContribution {
  connect(config: PluginConfig): Promise<ServerConnection>;
  testConnection(config: PluginConfig): Promise<TestResult>;
}

/* ---------- Sources: what gets backed up (`postgres`, `odoo`, ...) ---------- */

export type SourceContext = {
  /** The environment's source configuration, secrets included. */
  config: PluginConfig;
  /** The environment's server, under its admin's rules. */
  server: ManagedServer;
  signal?: AbortSignal;
};

export type SourceArtifactKind = "database" | "filestore";

/** One artifact of a backup, as the source produces it (uncompressed: the console compresses). */
export type SourceArtifact = {
  kind: SourceArtifactKind;
  /** Ends only when the artifact is complete; errors (with a one-line message) when the source fails. */
  stream: Readable;
};

export type SourceBackupContext = SourceContext & {
  /** Whether the backup should include the source's files (for sources that have any). */
  includeFilestore: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
};

export type SourceBackup = {
  /** What the manifest records about the source: its version and whatever identifies what was dumped. */
  metadata: Record<string, unknown>;
  /** The artifacts in order; the console reads each to its end before asking for the next. */
  artifacts: AsyncIterable<SourceArtifact>;
};

export interface SourceContribution {
  testConnection(context: SourceContext): Promise<TestResult>;
  /** Checks the source, then streams its artifacts. Rejects with a one-line message when it cannot start. */
  backup(context: SourceBackupContext): Promise<SourceBackup>;
  /**
   * Starts a restore into the environment described by `context.config`. Nothing of the target may change
   * until `swap()`: the artifacts are loaded into a fresh copy beside it. Sources that cannot restore omit it.
   */
  restore?(context: SourceRestoreContext): Promise<StagedRestore>;
  /** Removes a copy that `swap()` moved aside, once the operator no longer needs it. Idempotent. */
  discardPreviousCopy?(context: SourceContext, copy: PreviousCopy): Promise<void>;
  /**
   * Lists what this source could back up on a server (e.g. the Odoo databases there). `config` holds the
   * connection fields; each result's `config` completes it into an environment's configuration.
   */
  discover?(context: SourceContext): Promise<DiscoveredSource[]>;
}

export type SourceRestoreContext = SourceContext & {
  /** The restore's id: names of the staged and moved-aside copies derive from it, so retries never collide. */
  restoreId: string;
  /** Whether the restore will load the backup's files (`loadFiles`) in addition to the database. */
  includeFiles: boolean;
  /**
   * The target environment was created by this restore: its database and folders must not exist yet. A source
   * refuses to stage when they do, so a new environment never takes over data it was not created with.
   */
  targetIsNew: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
};

export type RestorePrepareOptions = {
  /** Give the copy its own identity (for Odoo: a new database.uuid and database.secret): a copy beside its original, or a new environment. */
  newIdentity: boolean;
  /** Make the copy harmless: no outgoing mail, no scheduled jobs, no live payment providers, ... */
  neutralize: boolean;
  /** Data subjects (email addresses, lower case) erased from the project: their records are anonymised again. */
  erasedSubjects: string[];
};

export type RestorePrepareReport = {
  identityRegenerated: boolean;
  /** One short line per neutralization step applied, e.g. "2 outgoing mail servers deactivated". */
  neutralized: string[];
  /** How many records of the erased subjects were found and anonymised. */
  erasedRecords: number;
};

/** Where `swap()` moved the target's former data: plain JSON, stored by the console until discarded. */
export type PreviousCopy = { description: string } & Record<string, unknown>;

/** A restore in progress: a fresh copy is loaded and prepared beside the target, then swapped in. */
export interface StagedRestore {
  /** Loads the database artifact (decompressed) into the fresh copy; rejects when the content is incomplete or invalid. */
  loadDatabase(content: Readable): Promise<void>;
  /** Extracts the files artifact (a decompressed tar) beside the target; refuses absolute paths, `..` and links escaping it. */
  loadFiles(content: Readable): Promise<void>;
  /** Changes made to the fresh copy before it replaces the target. */
  prepare(options: RestorePrepareOptions): Promise<RestorePrepareReport>;
  /**
   * Puts the fresh copy in place of the target's data and moves the old data aside (null when the target had
   * none). On failure it puts everything back as it was before rejecting.
   */
  swap(): Promise<PreviousCopy | null>;
  /** Removes whatever this restore created before `swap()`; the target is untouched. Idempotent. */
  discard(): Promise<void>;
}

export type DiscoveredSource = {
  /** What the operator picks, e.g. the database name. */
  name: string;
  /** The fields that complete the discovery config into the environment's config, e.g. `{ database }`. */
  config: PluginConfig;
  version?: string;
  sizeBytes?: number;
};

/* ---------- Storage providers: where backups are kept (`local`, `s3`, ...) ---------- */

export type StoredObject = { key: string; size: number; lastModified: Date };

export interface StorageClient {
  testConnection(): Promise<TestResult>;
  /**
   * Streams `content` to `key`. The object must not appear under `key` until it is complete: a failed or
   * aborted put leaves nothing that looks finished. Resolves with the stored size in bytes.
   */
  put(key: string, content: Readable, options?: { signal?: AbortSignal }): Promise<{ size: number }>;
  /**
   * Streams the object, from byte `start` when given (a resumed download); rejects with a message naming the
   * key when it does not exist.
   */
  get(key: string, options?: { start?: number }): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  /** A URL that downloads the object without credentials until it expires; only for providers that can sign. */
  presignGet?(key: string, expiresInSeconds: number, fileName: string): Promise<string>;
  close?(): Promise<void>;
}

export interface StorageProviderContribution {
  create(config: PluginConfig): StorageClient;
}

/* ---------- Notifiers: where backup and restore news goes (`email`, `webhook`, ...) ---------- */

export type NotificationEvent = "backup.completed" | "backup.failed" | "restore.completed" | "restore.failed" | "test";

/** One notification, the same for every channel; each notifier renders it its own way. */
export type NotificationMessage = {
  event: NotificationEvent;
  /** One line, e.g. "Backup failed: Acme / production"; an email's subject. */
  title: string;
  /** Plain text, one or a few lines: what happened and why. */
  text: string;
  severity: "success" | "failure" | "info";
  /** Short facts, e.g. `{ environment: "production", project: "Acme", status: "failed" }`. */
  fields: Record<string, string>;
  /** Where the console shows the subject, when its public URL is known. */
  url?: string;
  /** ISO 8601. */
  occurredAt: string;
};

export interface NotifierClient {
  /** Delivers one message; rejects with a one-line message (no secret in it) when it was not accepted. */
  send(message: NotificationMessage): Promise<void>;
  close?(): Promise<void>;
}

export interface NotifierContribution {
  create(config: PluginConfig): NotifierClient;
}

/* ---------- Manifest (package.json) ---------- */

/** A JSON Schema (draft 2020-12 subset) for a contribution's configuration. `secret: true` marks a secret field. */
export type ConfigSchema = {
  type: "object";
  properties: Record<string, ConfigFieldSchema>;
  required?: string[];
  additionalProperties?: boolean;
};

export type ConfigFieldSchema = {
  type: "string" | "integer" | "number" | "boolean";
  title?: string;
  description?: string;
  default?: string | number | boolean;
  enum?: Array<string | number>;
  /** What forms show for each `enum` value, in the same order. */
  enumTitles?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  /**
   * What the value is, for the console's checks: `hostname` and `uri` are network destinations (refused when they
   * are link-local or cloud metadata addresses), `server-path` a folder on the environment's server (it must lie
   * inside the folders an admin allowed there), `database-name` a database there (it must match the server's
   * database pattern), `host-key` a pinned host key fingerprint (forms remind the operator while it is empty).
   */
  format?: "hostname" | "uri" | "server-path" | "database-name" | "host-key";
  /**
   * Says where the contribution's secrets go (host, port, user, endpoint, bucket, region, path, pinned host key):
   * a stored secret is re-used only while every identity field keeps its stored value, otherwise it must be typed again.
   */
  identity?: boolean;
  /**
   * Sources: says, with the other fields so marked, where an environment's data lives (e.g. host, port and
   * database). Two environments of one server and source may not have the same values in all of them.
   */
  dataLocation?: boolean;
  /**
   * Sources: the environment's own data (e.g. its database, its data folder). A restore into a new environment
   * asks for these first and gives them new values; the original's secrets may follow when only these change.
   */
  copyTarget?: boolean;
  /** Sources: filled in by `discover` for each thing found (e.g. the database); an import asks for every other field once. */
  discovered?: boolean;
  /** Encrypted at rest, never sent back to a browser or API client. */
  secret?: boolean;
  /** A multi-line text box in forms (keys, certificates); other string fields refuse control characters (line breaks, tabs, ...). */
  multiline?: boolean;
  /** A placeholder shown in empty form fields. */
  placeholder?: string;
};

export type ContributionKind = "sources" | "storageProviders" | "serverKinds" | "notifiers";

export type ContributionManifest = {
  id: string;
  title: string;
  description?: string;
  /** Sources only: `restore` (restore + discardPreviousCopy implemented), `discover` (discover implemented), `neutralize` (its restores neutralize a copy when asked). */
  capabilities?: Array<"restore" | "discover" | "neutralize">;
  configSchema: ConfigSchema;
  /** Sources: the programs they run on a server by name (e.g. `pg_dump`); an admin may map each to a path there. */
  programs?: string[];
  /**
   * One line saying where a configuration points, for lists: `{field}` is the field's value; a part in square
   * brackets is left out when a field in it is empty. E.g. `[{username}@]{host}[:{port}][ · {path}]`.
   */
  summary?: string;
};
