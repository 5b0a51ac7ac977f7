import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import { env } from "@/server/env";
import * as schema from "./schema";

/** `$client`: the connection pool itself, for what needs one connection held (session advisory locks). */
export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** What services take as their first argument: the process's db, a transaction, or a test's db. */
export type DbOrTx = Db | Tx;

export function createDb(url: string, options: { max?: number } = {}): { db: Db; close: () => Promise<void> } {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  return { db: drizzle(client, { schema, casing: "snake_case" }), close: () => client.end({ timeout: 5 }) };
}

// Cached on globalThis so dev-mode module reloads do not open a new pool each time.
const globalForDb = globalThis as unknown as { __safeholdDb?: { url: string; db: Db; close: () => Promise<void> } };

export function databaseUrl(): string {
  const url = env().databaseUrl;
  if (!url) throw new Error("DATABASE_URL is not set (the CLI sets it when it starts the embedded database)");
  return url;
}

/** The process-wide database handle. */
export function getDb(): Db {
  const url = databaseUrl();
  if (globalForDb.__safeholdDb?.url !== url) {
    globalForDb.__safeholdDb = { url, ...createDb(url) };
  }
  return globalForDb.__safeholdDb.db;
}

export async function closeDb(): Promise<void> {
  const current = globalForDb.__safeholdDb;
  globalForDb.__safeholdDb = undefined;
  await current?.close();
}

export { schema };
