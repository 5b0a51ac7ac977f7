/** Sources: what gets backed up (`postgres`, `odoo`, ...). */
import type { Readable } from "node:stream";
import type { CallContext, PluginConfig, PluginLogger, TestOptions, TestResult } from "./context.js";
import type { ManagedServer } from "./server-kind.js";

export type SourceContext = CallContext & {
  /** The environment's source configuration, secrets included. */
  config: PluginConfig;
  /** The environment's server, under its admin's rules. */
  server: ManagedServer;
  signal?: AbortSignal;
};

export type SourceArtifactKind = "database" | "filestore";

/** One artifact of a backup, as the source produces it: uncompressed (the console compresses) unless `encoding` says otherwise. */
export type SourceArtifact = SourceStreamArtifact | SourceFilesArtifact;

export type SourceStreamArtifact = {
  kind: SourceArtifactKind;
  /** Ends only when the artifact is complete; errors (with a one-line message) when the source fails. */
  stream: Readable;
  /** `gzip`: the stream is already one standard gzip file (compressed on the server); the console stores it as it is. */
  encoding?: "gzip";
};

/**
 * A folder of files handed over file by file (asked for with `fileLayout: "objects"`): the console lists it, then
 * reads only the files its storage does not hold yet, and stores each file once. Restores still receive a tar.
 */
export type SourceFilesArtifact = {
  kind: "filestore";
  files: FileSet;
};

/** One entry of a folder, its path relative to the folder (`ab/ab12…`, never absolute, never through `..`). */
export type FileSetEntry =
  | { type: "file"; path: string; size: number; /** Seconds since the epoch. */ mtime: number; mode: number }
  | { type: "symlink"; path: string; target: string; mtime: number; mode: number };

/** A file's content as `FileSet.read` yields it. */
export type FileSetContent = { path: string; size: number; stream: Readable };

/** A folder on the server, read in batches: one listing, then one command per batch of files, never one per file. */
export interface FileSet {
  /** Every file and symbolic link under the folder (folders themselves are implied), streamed from one listing. */
  list(options: { signal: AbortSignal }): AsyncIterable<FileSetEntry>;
  /**
   * The contents of `paths` (files from `list`), through one command on the server. Yields them in the order the
   * server reads them; each stream must be read to its end (or resumed) before the next is yielded. A file removed
   * since the listing is left out (the iteration ends without it); any other failure errors the iteration.
   */
  read(paths: string[], options: { signal: AbortSignal }): AsyncIterable<FileSetContent>;
}

export type SourceBackupContext = SourceContext & {
  /** Whether the backup should include the source's files (for sources that have any). */
  includeFilestore: boolean;
  /**
   * How the console keeps them: `objects` asks for a `SourceFilesArtifact` (each file stored once, shared by
   * backups), `archive` (or none given) for a tar stream. A source that can only stream a tar may do so either way.
   */
  fileLayout?: "objects" | "archive";
  signal: AbortSignal;
  /** This run's log (operators read it): progress worth knowing, warnings, never a secret. */
  log: PluginLogger;
};

export type SourceBackup = {
  /** What the manifest records about the source: its version and whatever identifies what was dumped. */
  metadata: Record<string, unknown>;
  /** The application the backup was taken at (recorded with the backup; restores compare its `major`). */
  application?: ApplicationInfo;
  /** The artifacts in order; the console reads each to its end before asking for the next. */
  artifacts: AsyncIterable<SourceArtifact>;
};

export interface SourceContribution {
  testConnection(context: SourceContext, options: TestOptions): Promise<TestResult>;
  /** Checks the source, then streams its artifacts. Rejects with a one-line message when it cannot start. */
  backup(context: SourceBackupContext): Promise<SourceBackup>;
  /**
   * Starts a restore into the environment described by `context.config`. Nothing of the target may change
   * until `swap()`: the artifacts are loaded into a fresh copy beside it. Declared by the `restore` capability;
   * without it the host fills in one that throws `NOT_SUPPORTED`.
   */
  restore?(context: SourceRestoreContext): Promise<StagedRestore>;
  /** Removes a copy that `swap()` moved aside, once the operator no longer needs it. Idempotent. Part of the `restore` capability. */
  discardPreviousCopy?(context: SourceContext, copy: PreviousCopy): Promise<void>;
  /**
   * Lists what this source could back up on a server (e.g. the Odoo databases there). `config` holds the
   * connection fields; each result's `config` completes it into an environment's configuration. Declared by the
   * `discover` capability; without it the host fills in one that throws `NOT_SUPPORTED`.
   */
  discover?(context: SourceContext): Promise<DiscoveredSource[]>;
  /**
   * What application the environment runs now (e.g. Odoo 16.0 and its installed modules), or null when the source
   * has no such notion or cannot tell. Restores compare the target's `major` with the backup's. Without it the
   * host fills in one that answers null.
   */
  readApplication?(context: SourceContext, options: TestOptions): Promise<ApplicationInfo | null>;
  /**
   * Streams a backup as one file in a format the source declares in its manifest's `exports` (e.g. the zip
   * Odoo's database manager restores). Declared by the `export` capability; without it the host fills in one
   * that throws `NOT_SUPPORTED`.
   */
  exportArchive?(context: SourceExportContext): Promise<Readable>;
  /**
   * Reads a file in a format the source declares in its manifest's `imports` (e.g. an Odoo zip, a plain or
   * custom-format pg_dump) as it arrives, and yields the artifacts of a backup made from it; the console stores,
   * verifies and signs them like a backup's. Rejects (or errors the artifact stream) with a one-line message
   * saying what is wrong with the file. Declared by the `import` capability.
   */
  importArchive?(context: SourceImportContext): Promise<SourceBackup>;
  /**
   * Removes the environment's data from its server (its database and files), for "Destroy environment", after
   * the console has taken and verified a final backup. Idempotent: data already gone is not an error. Declared
   * by the `destroy` capability.
   */
  destroy?(context: SourceDestroyContext): Promise<DestroyReport>;
}

/** The application an environment runs, as its source reads it. */
export type ApplicationInfo = {
  /** E.g. "Odoo". */
  name: string;
  /** The version as the application names it, e.g. "16.0". */
  version: string;
  /** What must match for a restore: a backup is refused into an environment of another major (e.g. "16"). */
  major: string;
  /** Installed modules or extensions and their versions, where the application has them. */
  modules?: Record<string, string>;
};

export type SourceExportContext = CallContext & {
  /** The id of one of the manifest's `exports`. */
  format: string;
  /** The backup's source metadata, as its `backup()` (or `importArchive()`) returned it. */
  metadata: Record<string, unknown>;
  application: ApplicationInfo | null;
  /** The artifacts the backup holds. */
  artifacts: SourceArtifactKind[];
  /**
   * Opens one of them, decrypted, decompressed and checked against the backup's hashes as it streams (the
   * stream errors when the stored bytes do not match). May be called again, e.g. for a second pass.
   */
  openArtifact(kind: SourceArtifactKind): Promise<Readable>;
  /** Make the exported copy harmless, as a restore's `neutralize` does; only asked of sources with the `neutralize` capability. */
  neutralize: boolean;
  /** Data subjects erased from the project (see `RestorePrepareOptions.erasedSubjects`): no trace of them may remain in the file. */
  erasedSubjects: string[];
  signal: AbortSignal;
  log: PluginLogger;
};

export type SourceImportContext = CallContext & {
  /** The name the file was uploaded or fetched with, e.g. "acme_2026-12-01.zip". */
  fileName: string;
  /** The file's bytes as they arrive: the console never holds the whole file. */
  input: Readable;
  /** The configuration of the environment the backup is imported into. */
  config: PluginConfig;
  signal: AbortSignal;
  log: PluginLogger;
};

export type SourceDestroyContext = SourceContext & {
  signal: AbortSignal;
  log: PluginLogger;
};

export type DestroyReport = {
  /** One line per thing removed, e.g. `database "acme"`, `filestore /var/lib/odoo/filestore/acme`. */
  removed: string[];
};

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
  /** This run's log (operators read it): progress worth knowing, warnings, never a secret. */
  log: PluginLogger;
};

export type RestorePrepareOptions = {
  /** Give the copy its own identity (for Odoo: a new database.uuid and database.secret): a copy beside its original, or a new environment. */
  newIdentity: boolean;
  /** Make the copy harmless: no outgoing mail, no scheduled jobs, no live payment providers, ... */
  neutralize: boolean;
  /**
   * Data subjects erased from the project, lower case: email addresses, or record references `type,id` (e.g.
   * `partner,42`) whose types the source interprets; a source rejects a reference it does not know rather than
   * leave the person's records in place. Their records are anonymised again.
   */
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
  /** Loads the database artifact (decompressed, or gzip when `compressedInput("database")` asked so) into the fresh copy; rejects when the content is incomplete or invalid. */
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
  /**
   * What the loaded copy holds, for a restore drill's checks (called after the loads, before `discard()`): the
   * rows of every table (named as the dump's COPY statements name them, e.g. `public.res_partner`), the files
   * extracted and their bytes, and the source's own checks of the copy (e.g. "base module installed"). Optional:
   * without it the host fills in one that throws `NOT_SUPPORTED`, and drills of the source fail saying so.
   */
  inspect?(): Promise<StagedInspection>;
  /**
   * `gzip` when the loader of `kind` wants the stored gzip bytes as they are (it decompresses on the server, so
   * compressed bytes cross the link); null for decompressed content. Without it the host answers null.
   */
  compressedInput?(kind: SourceArtifactKind): Promise<"gzip" | null>;
}

/** What a staged copy holds (see `StagedRestore.inspect`). */
export type StagedInspection = {
  tables: Record<string, number>;
  /** Regular files extracted by `loadFiles`, and their total bytes; left out when no files were loaded. */
  files?: { files: number; bytes: number };
  /** The source's own checks of the copy, each with one line saying what it found. */
  application?: Array<{ check: string; ok: boolean; detail: string }>;
};

export type DiscoveredSource = {
  /** What the operator picks, e.g. the database name. */
  name: string;
  /** The fields that complete the discovery config into the environment's config, e.g. `{ database }`. */
  config: PluginConfig;
  version?: string;
  sizeBytes?: number;
};

