import type { Readable } from "node:stream";
import type { ManagedServer, ServerCodec } from "@safehold/plugin-api";
import { quoteIdentifier, quoteString, runSql } from "./client";
import type { MysqlConfig } from "./config";
import { loadDump } from "./load";
import { copyDatabaseName } from "./names";
import {
  disableEvents,
  dropDefinitions,
  dumpDefinitions,
  listObjects,
  NO_OBJECTS,
  objectCount,
  renameTables,
  replayDefinitions,
  type SchemaObjects,
  type Tools,
} from "./schema-objects";

type Charset = { charset: string; collation: string };

/**
 * The database half of a MySQL/MariaDB staged restore: a fresh database `<db>_restore_<tag>` beside the target,
 * loaded from the dump, then swapped in while the target's former content moves aside to `<db>_before_<tag>`.
 *
 * MySQL has no RENAME DATABASE, so the swap moves tables: one `RENAME TABLE` statement moves every table of the
 * target to the aside database and every staged table into the target, atomically (foreign keys follow). Views,
 * triggers, routines and events cannot follow that way: a view never changes database (error 1450), a table with
 * triggers refuses to (error 1435 "Trigger in wrong schema"), routines and events belong to their database. So
 * their definitions are read first with the dump tool (names relative to the database, sql_mode and character
 * sets as created), dropped from both databases, the tables renamed, and the definitions replayed: the staged
 * ones into the target, the target's former ones into the aside copy (its events disabled there). Each step has
 * its undo; a step failing undoes those already done, in reverse, so the target is as it was.
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
    private readonly tools: Tools,
    private readonly config: MysqlConfig,
    tag: string,
    private readonly signal: AbortSignal,
    private readonly log: (line: string) => void,
  ) {
    this.fresh = copyDatabaseName(config.database, "restore", tag);
    this.aside = copyDatabaseName(config.database, "before", tag);
    for (const name of [config.database, this.fresh, this.aside]) server.checkDatabase(name);
  }

  private sql(text: string): Promise<string[][]> {
    return runSql(this.server, this.tools.client, this.config, null, text, this.signal);
  }

  /** The database's default character set and collation; null when it does not exist. */
  private async charsetOf(database: string): Promise<Charset | null> {
    const [row] = await this.sql(`SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = ${quoteString(database)}`);
    return row ? { charset: row[0]!, collation: row[1]! } : null;
  }

  private async createDatabase(name: string, like: Charset | null): Promise<void> {
    const charset = like ? ` CHARACTER SET ${like.charset} COLLATE ${like.collation}` : " CHARACTER SET utf8mb4";
    try {
      await this.sql(`CREATE DATABASE ${quoteIdentifier(name)}${charset}`);
    } catch (err) {
      if (/may not use database|Access denied/.test((err as Error).message)) {
        throw new Error(`User "${this.config.user}" may not create database "${name}": a restore loads into a fresh database beside the target, so grant it all privileges on \`${this.config.database.replace(/_/g, "\\_")}\\_%\`.* as well`);
      }
      throw err;
    }
  }

  private dropDatabase(name: string): Promise<string[][]> {
    return this.sql(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  }

  /** A new environment's database must not exist yet with tables: a restore never takes over data it was not created with. */
  async assertTargetAbsent(): Promise<void> {
    const { database } = this.config;
    if (!(await this.charsetOf(database))) return;
    const objects = await listObjects(this.server, this.tools, this.config, database);
    if (objectCount(objects) > 0) {
      throw new Error(`Database "${database}" already exists on the server with ${objects.tables.length} tables: a restore into a new environment never replaces an existing database; choose another name`);
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
    this.created = true;
    // A leftover of an interrupted attempt at this same restore: the name is this restore's own.
    await this.dropDatabase(this.fresh);
    await this.createDatabase(this.fresh, await this.charsetOf(this.config.database));
    await loadDump(this.server, this.tools.client, this.config, this.fresh, content, this.signal, this.codec);
    this.loaded = true;
  }

  /** Puts the staged content in place; returns where the target's former content went (null: it had none). */
  async swapIn(): Promise<{ aside: string | null }> {
    if (!this.loaded || this.swapped) throw new Error("The database was not loaded: nothing to swap in");
    const { server, tools, config } = this;
    const target = config.database;
    const targetCharset = await this.charsetOf(target);
    const before = targetCharset ? await listObjects(server, tools, config, target) : NO_OBJECTS;
    const staged = await listObjects(server, tools, config, this.fresh);
    const hadTarget = objectCount(before) > 0;
    // Read before anything changes: what the undo replays if a later step fails.
    const stagedDefinitions = await dumpDefinitions(server, tools, config, this.fresh, staged);
    const targetDefinitions = hadTarget ? await dumpDefinitions(server, tools, config, target, before) : Buffer.alloc(0);
    const moves: Array<[[string, string], [string, string]]> = [
      ...before.tables.map((t): [[string, string], [string, string]] => [[target, t], [this.aside, t]]),
      ...staged.tables.map((t): [[string, string], [string, string]] => [[this.fresh, t], [target, t]]),
    ];
    const undo: Array<{ what: string; run: () => Promise<unknown> }> = [];
    const step = async (what: string, run: () => Promise<unknown>, undoRun: (() => Promise<unknown>) | null, undoFirst = false) => {
      if (undoRun && undoFirst) undo.push({ what, run: undoRun });
      await run();
      if (undoRun && !undoFirst) undo.push({ what, run: undoRun });
    };
    const replace = (db: string, objects: SchemaObjects, definitions: Buffer) => async () => {
      await dropDefinitions(server, tools, config, db, objects);
      await replayDefinitions(server, tools, config, db, definitions);
    };
    try {
      if (!targetCharset) await step("create the target", () => this.createDatabase(target, null), () => this.dropDatabase(target));
      if (hadTarget) await step("create the aside copy", () => this.createDatabase(this.aside, targetCharset), () => this.dropDatabase(this.aside));
      await step("clear the staged copy", () => dropDefinitions(server, tools, config, this.fresh, staged), replace(this.fresh, staged, stagedDefinitions), true);
      await step("clear the target", () => dropDefinitions(server, tools, config, target, before), replace(target, before, targetDefinitions), true);
      await step(
        "move the tables",
        () => renameTables(server, tools, config, moves),
        () => renameTables(server, tools, config, moves.map(([from, to]) => [to, from])),
      );
      await step("recreate in the target", () => replayDefinitions(server, tools, config, target, stagedDefinitions), () => dropDefinitions(server, tools, config, target, staged), true);
      if (hadTarget) {
        await step("recreate in the aside copy", () => replayDefinitions(server, tools, config, this.aside, targetDefinitions), () => dropDefinitions(server, tools, config, this.aside, before), true);
        await disableEvents(server, tools, config, this.aside, before.events);
      }
    } catch (err) {
      for (const { what, run } of undo.reverse()) {
        try {
          await run();
        } catch (undoErr) {
          throw new Error(`${(err as Error).message}; undoing the swap failed too (${what}): ${(undoErr as Error).message}`);
        }
      }
      throw err;
    }
    this.swapped = true;
    // Empty now but for what was replayed elsewhere; a failure here leaves only an empty database behind.
    await this.dropDatabase(this.fresh).catch((err: Error) => this.log(`The emptied staging database "${this.fresh}" could not be dropped: ${err.message}`));
    return { aside: hadTarget ? this.aside : null };
  }

  /** Drops the fresh copy; does nothing once it was swapped in (it is the target then). */
  async discard(): Promise<void> {
    if (!this.created || this.swapped) return;
    await this.dropDatabase(this.fresh);
    this.created = false;
    this.loaded = false;
  }
}
