import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { loginAttempts } from "@/server/db/schema";
import { TooManyRequestsError } from "@/server/errors";

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 30;

async function failuresSince(db: DbOrTx, column: typeof loginAttempts.email | typeof loginAttempts.ip, value: string, since: Date) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${loginAttempts.createdAt})` })
    .from(loginAttempts)
    .where(and(eq(column, value), eq(loginAttempts.succeeded, false), gt(loginAttempts.createdAt, since)));
  return { count: row?.n ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** Refuses a sign-in after repeated failures for one email (or from one address) within 15 minutes. */
export async function assertLoginAllowed(db: DbOrTx, email: string, ip: string | null): Promise<void> {
  const since = new Date(Date.now() - WINDOW_MS);
  const checks = [{ ...(await failuresSince(db, loginAttempts.email, email, since)), max: MAX_FAILURES_PER_EMAIL }];
  if (ip) checks.push({ ...(await failuresSince(db, loginAttempts.ip, ip, since)), max: MAX_FAILURES_PER_IP });
  for (const { count, oldest, max } of checks) {
    if (count >= max && oldest) {
      const minutes = Math.max(1, Math.ceil((oldest.getTime() + WINDOW_MS - Date.now()) / 60_000));
      throw new TooManyRequestsError(`Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
    }
  }
}

export async function recordLoginAttempt(db: DbOrTx, email: string, ip: string | null, succeeded: boolean): Promise<void> {
  await db.insert(loginAttempts).values({ email, ip, succeeded });
  // A success clears the email's failure streak.
  if (succeeded) await db.delete(loginAttempts).where(and(eq(loginAttempts.email, email), eq(loginAttempts.succeeded, false)));
}

export async function pruneLoginAttempts(db: DbOrTx): Promise<number> {
  const rows = await db
    .delete(loginAttempts)
    .where(sql`${loginAttempts.createdAt} < now() - interval '1 day'`)
    .returning({ id: loginAttempts.id });
  return rows.length;
}
