/** The manifest (the plugin's package.json): what the console reads without running plugin code. */

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
   * The sentence a form shows when the value does not match `pattern` or `format`, e.g. "Folder must be an absolute
   * path starting with /". Without it the console words common patterns itself, or shows the description.
   */
  errorMessage?: string;
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

/** How the console names one kind of artifact of a source's backups. */
export type ArtifactDeclaration = {
  /** E.g. "Database dump", "Uploads folder". */
  title: string;
  /** One line on what it holds, e.g. "Uploaded documents, images and attachments". */
  description?: string;
  /**
   * The file extension of the content the source streams, without a dot: the console names the stored file
   * `backup-{id}-{kind}.{extension}.gz`. Default `sql` for the database, `tar` for files.
   */
  extension?: string;
  /** The media type of that content (before the console compresses it), recorded in the manifest. Default `application/sql`, `application/x-tar`. */
  contentType?: string;
  /**
   * How the console can count the rows per table of a database dump as it streams, recorded in the manifest so a
   * restore drill can check the restored copy: `pg-copy` for a plain SQL dump whose data is in `COPY … FROM stdin;`
   * blocks (pg_dump's plain format). Left out, the console records no row counts for the source's backups.
   */
  rowCounts?: "pg-copy";
};

/** A download format of a source's backups, e.g. `{ id: "odoo-zip", title: "Odoo format (.zip)", extension: "zip", contentType: "application/zip" }`. */
export type ExportFormatDeclaration = {
  id: string;
  title: string;
  description?: string;
  /** Without a dot; the download is named `{environment}-{date}.{extension}`. */
  extension: string;
  contentType: string;
};

/** A file a source imports, e.g. `{ id: "odoo-zip", title: "Odoo backup (.zip)", extensions: [".zip"] }`. */
export type ImportFormatDeclaration = {
  id: string;
  title: string;
  description?: string;
  /** The file name endings it accepts, with the dot, e.g. `[".sql", ".sql.gz"]`. */
  extensions: string[];
};

export type ContributionKind = "sources" | "storageProviders" | "serverKinds" | "notifiers";

export type ContributionManifest = {
  id: string;
  title: string;
  description?: string;
  /**
   * Sources only: `restore` (restore + discardPreviousCopy implemented), `discover` (discover implemented),
   * `neutralize` (its restores make a copy harmless when asked: no outgoing mail, no scheduled jobs, ...),
   * `export` (exportArchive implemented, formats in `exports`), `import` (importArchive implemented, formats in
   * `imports`), `destroy` (destroy implemented).
   */
  capabilities?: Array<"restore" | "discover" | "neutralize" | "export" | "import" | "destroy">;
  configSchema: ConfigSchema;
  /**
   * Sources: what their backups hold, as the console names them to operators: the `database` artifact and, for
   * sources that back up files, the `filestore` one (a tar). A source without `filestore` never offers to include files.
   */
  artifacts?: { database: ArtifactDeclaration; filestore?: ArtifactDeclaration };
  /** Sources with the `export` capability: the formats a backup can be downloaded in besides its stored files. */
  exports?: ExportFormatDeclaration[];
  /** Sources with the `import` capability: the files an operator can import as a backup. */
  imports?: ImportFormatDeclaration[];
  /** Sources: the databases their database server keeps for itself (e.g. `postgres`, `mysql`): no environment may use them. */
  reservedDatabases?: string[];
  /** Sources: the programs they run on a server by name (e.g. `pg_dump`); an admin may map each to a path there. */
  programs?: string[];
  /**
   * One line saying where a configuration points, for lists: `{field}` is the field's value; a part in square
   * brackets is left out when a field in it is empty. E.g. `[{username}@]{host}[:{port}][ · {path}]`.
   */
  summary?: string;
};
