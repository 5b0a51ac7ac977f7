import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { createDb, type Db } from "@/server/db";

export const TEMPLATE_DATABASE = "safehold_test_template";

export type TestDatabase = { url: string; name: string; db: Db; sql: postgres.Sql; drop: () => Promise<void> };

export function adminDatabaseUrl(): string {
  return inject("adminDatabaseUrl");
}

export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL as the test server's superuser (to set up what a client's server would hold). */
export async function runAsAdmin(text: string): Promise<void> {
  const sql = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(text);
  } finally {
    await sql.end();
  }
}

/** A fresh, migrated database for one test file (a copy of the template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `safehold_test_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${TEMPLATE_DATABASE}`);
  await admin.end();
  const url = databaseUrlFor(name);
  const { db, close } = createDb(url, { max: 5 });
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  return {
    url,
    name,
    db,
    sql,
    drop: async () => {
      await close();
      await sql.end();
      const a = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * A plain database with a login role, to stand in for a client's database behind a `postgres` source.
 * `createdb` gives the role CREATEDB, as an Odoo database user has: restores create their fresh copy with it.
 */
export async function createClientDatabase(options: { createdb?: boolean } = {}): Promise<{ database: string; user: string; password: string; host: string; port: number; drop: () => Promise<void> }> {
  const suffix = randomBytes(4).toString("hex");
  const database = `client_${suffix}`;
  const user = `client_user_${suffix}`;
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create role ${user} login ${options.createdb ? "createdb" : ""} password '${password}'`);
  await admin.unsafe(`create database ${database} owner ${user}`);
  await admin.end();
  const url = new URL(adminDatabaseUrl());
  return {
    database,
    user,
    password,
    host: url.hostname,
    port: Number(url.port || 5432),
    drop: async () => {
      const a = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${database} with (force)`);
      // With CREATEDB the role may own more databases (restored copies); the role can only go with them.
      const owned = await a<{ datname: string }[]>`select datname from pg_database where datdba = (select oid from pg_roles where rolname = ${user})`;
      for (const { datname } of owned) await a.unsafe(`drop database if exists "${datname.replace(/"/g, '""')}" with (force)`);
      await a.unsafe(`drop role if exists ${user}`);
      await a.end();
    },
  };
}

/** Waits until PostgreSQL shows a session waiting for a lock of this kind in the test database `t`. */
export async function waitForLockWait(t: TestDatabase, locktype: "advisory" | "transactionid"): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database or l.database is null
      where not l.granted and l.locktype = ${locktype} and (l.database is null or d.datname = current_database())`;
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`No session started waiting for a ${locktype} lock`);
}
