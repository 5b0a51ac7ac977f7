import type postgres from "postgres";
import type { ServerConnection } from "@safehold/plugin-api";
import type { PostgresConfig } from "./config";
import { connectThroughServer, describePostgresError } from "./connect";
import { quoteIdentifier } from "./restore-names";

const OBJECT_IN_USE = "55006";
const ATTEMPTS = 6;

/**
 * Runs `work` connected to the maintenance database `postgres` as the environment's user: databases are
 * created, renamed and dropped from there (as Odoo's own database manager does).
 */
export async function withMaintenanceDatabase<T>(server: ServerConnection, config: PostgresConfig, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const maintenance = { ...config, database: "postgres" };
  const sql = connectThroughServer(server, maintenance);
  try {
    return await work(sql);
  } catch (err) {
    throw new Error(describePostgresError(err, maintenance));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function databaseExists(sql: postgres.Sql, name: string): Promise<boolean> {
  const rows = await sql`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}

export async function createDatabase(sql: postgres.Sql, name: string, user: string): Promise<void> {
  try {
    await sql.unsafe(`create database ${quoteIdentifier(name)} template template0 encoding 'UTF8'`);
  } catch (err) {
    if ((err as { code?: string }).code === "42501") {
      throw new Error(`User "${user}" may not create databases: a restore loads into a fresh database, so grant it CREATEDB (ALTER ROLE "${user}" CREATEDB)`);
    }
    throw err;
  }
}

/** Ends every other session on `name` (those the user may signal; the others make the next statement fail clearly). */
async function terminateSessions(sql: postgres.Sql, name: string): Promise<void> {
  const sessions = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
  for (const { pid } of sessions) await sql`select pg_terminate_backend(${pid})`.catch(() => {});
}

/** Runs a statement that needs `name` free of sessions; clients such as Odoo reconnect at once, so it retries a few times. */
async function whileDisconnected(sql: postgres.Sql, name: string, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await terminateSessions(sql, name);
    try {
      await sql.unsafe(statement);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== OBJECT_IN_USE || attempt === ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export async function renameDatabase(sql: postgres.Sql, from: string, to: string): Promise<void> {
  try {
    await whileDisconnected(sql, from, `alter database ${quoteIdentifier(from)} rename to ${quoteIdentifier(to)}`);
  } catch (err) {
    throw new Error(`Cannot rename database "${from}" to "${to}": ${(err as Error).message}`);
  }
}

export async function dropDatabase(sql: postgres.Sql, name: string): Promise<void> {
  try {
    await whileDisconnected(sql, name, `drop database if exists ${quoteIdentifier(name)}`);
  } catch (err) {
    throw new Error(`Cannot drop database "${name}": ${(err as Error).message}`);
  }
}
