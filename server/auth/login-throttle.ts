import { and, eq, gt, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "@/server/db";
import { loginAttempts } from "@/server/db/schema";
import { TooManyRequestsError } from "@/server/errors";

const WINDOW = "1 hour";

/**
 * Growing delays instead of a lock-out: after `free` failures within the hour, the next attempt must wait
 * 2, 4, 8 … seconds after the last failure, up to `maxSeconds`. Per account and address the limit is strict;
 * per account from anywhere it stays short, so nobody can keep the owner out for long by guessing wrongly on
 * purpose; per address it also slows one client spraying many accounts.
 */
const RULES = [
  { scope: "this account from your address", free: 3, maxSeconds: 15 * 60, match: (e: string, ip: string | null) => (ip ? and(eq(loginAttempts.email, e), eq(loginAttempts.ip, ip)) : undefined) },
  { scope: "this account", free: 10, maxSeconds: 60, match: (e: string) => eq(loginAttempts.email, e) },
  { scope: "your address", free: 20, maxSeconds: 15 * 60, match: (_e: string, ip: string | null) => (ip ? eq(loginAttempts.ip, ip) : undefined) },
] as const;

export function delaySeconds(failures: number, free: number, maxSeconds: number): number {
  return failures < free ? 0 : Math.min(maxSeconds, 2 ** (failures - free + 1));
}

async function failures(tx: Tx, where: SQL) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int`, last: sql<string | null>`max(${loginAttempts.createdAt})` })
    .from(loginAttempts)
    .where(and(where, eq(loginAttempts.succeeded, false), gt(loginAttempts.createdAt, sql`now() - interval '${sql.raw(WINDOW)}'`)));
  return { count: row?.n ?? 0, last: row?.last ? new Date(row.last) : null };
}

async function assertNoDelayDue(tx: Tx, email: string, ip: string | null): Promise<void> {
  for (const rule of RULES) {
    const where = rule.match(email, ip);
    if (!where) continue;
    const { count, last } = await failures(tx, where);
    const wait = delaySeconds(count, rule.free, rule.maxSeconds);
    const left = last ? Math.ceil((last.getTime() + wait * 1000 - Date.now()) / 1000) : 0;
    if (left > 0) {
      const when = left >= 120 ? `${Math.ceil(left / 60)} minutes` : `${left} second${left === 1 ? "" : "s"}`;
      throw new TooManyRequestsError(`Too many failed sign-in attempts for ${rule.scope}. Try again in ${when}.`);
    }
  }
}

export type AttemptOutcome<T> = { outcome: "success"; value: T } | { outcome: "failure" } | { outcome: "incomplete" };

/**
 * One sign-in attempt as one atomic step: with the email's (and the address's) lock held, check that no delay is
 * due, run `attempt` (the password and code checks), and record its outcome, so parallel guesses queue up and
 * each sees the failures before it. "incomplete" (right password, code still to come) is not recorded.
 */
export async function throttledAttempt<T>(db: Db, email: string, ip: string | null, attempt: (tx: Tx) => Promise<AttemptOutcome<T>>): Promise<AttemptOutcome<T>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in:email:${email}`}, 0))`);
    if (ip) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in:ip:${ip}`}, 0))`);
    await assertNoDelayDue(tx, email, ip);
    const result = await attempt(tx);
    if (result.outcome === "incomplete") return result;
    await tx.insert(loginAttempts).values({ email, ip, succeeded: result.outcome === "success" });
    // A success ends the account's failure streak (the address's own count stays).
    if (result.outcome === "success") await tx.delete(loginAttempts).where(and(eq(loginAttempts.email, email), eq(loginAttempts.succeeded, false)));
    return result;
  });
}

export async function pruneLoginAttempts(db: DbOrTx): Promise<number> {
  const rows = await db
    .delete(loginAttempts)
    .where(sql`${loginAttempts.createdAt} < now() - interval '1 day'`)
    .returning({ id: loginAttempts.id });
  return rows.length;
}
