import type { Readable } from "node:stream";
import type postgres from "postgres";
import type { ManagedServer, ServerCodec } from "@safehold/plugin-api";
import type { PostgresConfig } from "./config";
import { connectThroughServer } from "./connect";
import { loadSqlDump } from "./psql-load";
import { checkPsqlCanRestrict } from "./psql-version";
import { createDatabase, databaseExists, dropDatabase, renameDatabase, withMaintenanceDatabase } from "./restore-database";
import { copyDatabaseName } from "./restore-names";
import { countRows } from "./row-counts";

export type DatabaseSwap = {
  /** Where the target's former database went; null when there was none. */
  aside: string | null;
  /** Puts both databases back where they were before the swap. */
  undo: () => Promise<void>;
};

/**
 * The database half of a staged restore: a fresh database `<db>_restore_<tag>` beside the target, loaded from
 * the dump, then renamed into place while the target moves aside to `<db>_before_<tag>`.
 */
export class StagedDatabase {
  readonly fresh: string;
  readonly aside: string;
  private created = false;
  private loaded = false;
  private swapped = false;
  /** Set by compressedInput(): the content `load` receives is then the stored gzip file. */
  private codec: ServerCodec | undefined;

  constructor(
    private readonly server: ManagedServer,
    private readonly config: PostgresConfig,
    tag: string,
    private readonly signal: AbortSignal,
  ) {
    this.fresh = copyDatabaseName(config.database, "restore", tag);
    this.aside = copyDatabaseName(config.database, "before", tag);
  }

  /** A new environment's database must not exist yet: a restore never takes over a database it was not created with. */
  async assertTargetAbsent(): Promise<void> {
    const { database } = this.config;
    if (await withMaintenanceDatabase(this.server, this.config, (sql) => databaseExists(sql, database))) {
      throw new Error(`Database "${database}" already exists on the server: a restore into a new environment never replaces an existing database; choose another name`);
    }
  }

  /** `gzip` when the server can decompress the dump itself (then `load` receives the stored gzip file), else null. */
  async compressedInput(): Promise<"gzip" | null> {
    const plan = await this.server.compression({ signal: this.signal });
    this.codec = plan.on === "server" ? plan.codec : undefined;
    return this.codec ? "gzip" : null;
  }

  async load(content: Readable): Promise<void> {
    if (this.swapped) throw new Error("This restore was already swapped in");
    // Checked before the fresh database exists: a psql that cannot lock out meta-commands loads nothing.
    await checkPsqlCanRestrict(this.server);
    this.created = true;
    await withMaintenanceDatabase(this.server, this.config, async (sql) => {
      // A leftover of an interrupted attempt at this same restore: the name is this restore's own.
      await dropDatabase(sql, this.fresh);
      await createDatabase(sql, this.fresh, this.config.user);
    });
    await loadSqlDump(this.server, this.config, this.fresh, content, this.signal, this.codec);
    this.loaded = true;
  }

  /** A connection to the fresh copy, for the changes made to it before the swap. */
  connect(): postgres.Sql {
    if (!this.loaded || this.swapped) throw new Error("The database was not loaded: nothing to prepare");
    return connectThroughServer(this.server, { ...this.config, database: this.fresh });
  }

  async swapIn(): Promise<DatabaseSwap> {
    if (!this.loaded || this.swapped) throw new Error("The database was not loaded: nothing to swap in");
    const { database: target } = this.config;
    const aside = await withMaintenanceDatabase(this.server, this.config, async (sql) => {
      const hadTarget = await databaseExists(sql, target);
      if (hadTarget) await renameDatabase(sql, target, this.aside);
      try {
        await renameDatabase(sql, this.fresh, target);
      } catch (err) {
        if (hadTarget) await renameDatabase(sql, this.aside, target);
        throw err;
      }
      return hadTarget ? this.aside : null;
    });
    this.swapped = true;
    return {
      aside,
      undo: () =>
        withMaintenanceDatabase(this.server, this.config, async (sql) => {
          await renameDatabase(sql, target, this.fresh);
          if (aside) await renameDatabase(sql, aside, target);
          this.swapped = false;
        }),
    };
  }

  /** The rows of every table of the loaded copy (a restore drill compares them with the backup's). */
  async rowCounts(): Promise<Record<string, number>> {
    const sql = this.connect();
    try {
      return await countRows(sql);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  /** Drops the fresh copy; does nothing once it was swapped in (it is the target then). */
  async discard(): Promise<void> {
    if (!this.created || this.swapped) return;
    await withMaintenanceDatabase(this.server, this.config, (sql) => dropDatabase(sql, this.fresh));
    this.created = false;
    this.loaded = false;
  }
}
