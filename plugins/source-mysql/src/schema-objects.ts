import { Readable } from "node:stream";
import type { ServerConnection } from "@safehold/plugin-api";
import { readText } from "@safehold/plugin-helpers";
import { checkedName, connectionArgs, clientFailure, passwordEnv, quoteIdentifier, quoteString, runSql, type ClientTool, type DumpCheck } from "./client";
import type { MysqlConfig } from "./config";
import { runSqlStream } from "./load";

export type Tools = { client: ClientTool; dump: Extract<DumpCheck, { ok: true }> };

/** What a database holds, by kind of object. Tables include sequences and system-versioned tables. */
export type SchemaObjects = { tables: string[]; views: string[]; triggers: string[]; procedures: string[]; functions: string[]; events: string[] };

export const NO_OBJECTS: SchemaObjects = { tables: [], views: [], triggers: [], procedures: [], functions: [], events: [] };

export function objectCount(objects: SchemaObjects): number {
  return Object.values(objects).reduce((sum, names) => sum + names.length, 0);
}

/** The objects of `database`, read from information_schema in one query. */
export async function listObjects(server: ServerConnection, tools: Tools, config: MysqlConfig, database: string): Promise<SchemaObjects> {
  const db = quoteString(database);
  const rows = await runSql(
    server,
    tools.client,
    config,
    null,
    `SELECT 'tables', table_name FROM information_schema.tables WHERE table_schema = ${db} AND table_type NOT IN ('VIEW', 'TEMPORARY')
     UNION ALL SELECT 'views', table_name FROM information_schema.tables WHERE table_schema = ${db} AND table_type = 'VIEW'
     UNION ALL SELECT 'triggers', trigger_name FROM information_schema.triggers WHERE trigger_schema = ${db}
     UNION ALL SELECT 'procedures', routine_name FROM information_schema.routines WHERE routine_schema = ${db} AND routine_type = 'PROCEDURE'
     UNION ALL SELECT 'functions', routine_name FROM information_schema.routines WHERE routine_schema = ${db} AND routine_type = 'FUNCTION'
     UNION ALL SELECT 'events', event_name FROM information_schema.events WHERE event_schema = ${db}`,
  );
  const objects: SchemaObjects = { tables: [], views: [], triggers: [], procedures: [], functions: [], events: [] };
  for (const [kind, name] of rows) if (kind && name !== undefined && kind in objects) objects[kind as keyof SchemaObjects].push(name);
  return objects;
}

async function runDump(server: ServerConnection, tools: Tools, config: MysqlConfig, args: string[]): Promise<Buffer> {
  const handle = server.exec(tools.dump.program, [...connectionArgs(config, "dump"), "--skip-comments", ...args], { env: passwordEnv(config) });
  const chunks: Buffer[] = [];
  handle.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const [stderr, exit] = await Promise.all([readText(handle.stderr), handle.exit]);
  if (exit.code !== 0) throw clientFailure(stderr, config, null, "Reading the definitions of views, routines, triggers and events failed");
  return Buffer.concat(chunks);
}

/**
 * The definitions of the database's routines, events, triggers and views, as the dump tool writes them (with
 * their sql_mode, character sets and definers, and names relative to the database, so they can be replayed into
 * another one). Definitions only, never data: small enough to hold while the swap runs, so it can undo itself.
 */
export async function dumpDefinitions(server: ServerConnection, tools: Tools, config: MysqlConfig, database: string, objects: SchemaObjects): Promise<Buffer> {
  const parts: Buffer[] = [];
  const name = checkedName(database);
  if (objects.triggers.length + objects.procedures.length + objects.functions.length + objects.events.length > 0) {
    parts.push(await runDump(server, tools, config, ["--no-create-info", "--no-data", "--routines", "--events", "--triggers", "--", name]));
  }
  // Views last: a view may call a stored function, which must exist first. The dump tool orders views among
  // themselves (stand-ins first), so a view over another view is created whatever their names.
  if (objects.views.length > 0) {
    parts.push(await runDump(server, tools, config, ["--no-data", "--skip-triggers", "--skip-add-drop-table", "--", name, ...objects.views]));
  }
  return Buffer.concat(parts);
}

/** Replays definitions from `dumpDefinitions` into `database`. */
export async function replayDefinitions(server: ServerConnection, tools: Tools, config: MysqlConfig, database: string, definitions: Buffer): Promise<void> {
  if (definitions.length === 0) return;
  await runSqlStream(server, tools.client, config, database, Readable.from([definitions]), `Recreating views, routines, triggers and events in "${database}"`);
}

/** Drops the views, triggers, routines and events named in `objects` from `database` (those still there). */
export async function dropDefinitions(server: ServerConnection, tools: Tools, config: MysqlConfig, database: string, objects: SchemaObjects): Promise<void> {
  const db = quoteIdentifier(database);
  const q = (name: string) => `${db}.${quoteIdentifier(name)}`;
  const statements = [
    ...objects.triggers.map((n) => `DROP TRIGGER IF EXISTS ${q(n)};`),
    ...objects.views.map((n) => `DROP VIEW IF EXISTS ${q(n)};`),
    ...objects.procedures.map((n) => `DROP PROCEDURE IF EXISTS ${q(n)};`),
    ...objects.functions.map((n) => `DROP FUNCTION IF EXISTS ${q(n)};`),
    ...objects.events.map((n) => `DROP EVENT IF EXISTS ${q(n)};`),
  ];
  if (statements.length > 0) await runSql(server, tools.client, config, null, statements.join("\n"));
}

/** Disables the events named in `objects` in `database`: a copy moved aside must not keep acting on its schedule. */
export async function disableEvents(server: ServerConnection, tools: Tools, config: MysqlConfig, database: string, events: string[]): Promise<void> {
  if (events.length === 0) return;
  await runSql(server, tools.client, config, null, events.map((n) => `ALTER EVENT ${quoteIdentifier(database)}.${quoteIdentifier(n)} DISABLE;`).join("\n"));
}

/** One atomic `RENAME TABLE a TO b, c TO d, ...`: either every table moves or none does. */
export async function renameTables(server: ServerConnection, tools: Tools, config: MysqlConfig, moves: Array<[from: [string, string], to: [string, string]]>): Promise<void> {
  if (moves.length === 0) return;
  const name = ([db, table]: [string, string]) => `${quoteIdentifier(db)}.${quoteIdentifier(table)}`;
  await runSql(server, tools.client, config, null, `RENAME TABLE ${moves.map(([from, to]) => `${name(from)} TO ${name(to)}`).join(",\n  ")};`);
}
