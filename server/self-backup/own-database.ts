import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";

/**
 * libpq's environment for a connection URL: the password travels in the child's environment, never on its
 * command line (where `ps` shows it).
 */
export function libpqEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: decodeURIComponent(u.hostname),
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
}

/** How many of Safehold's migrations the database has applied (drizzle's journal). */
export async function migrationLevel(db: DbOrTx): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return row?.n ?? 0;
}
