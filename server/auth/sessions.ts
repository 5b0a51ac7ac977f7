import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { userSessions, users } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";

/** How long a sign-in lasts (the cookie's life and the session row's). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

const USER_AGENT_MAX = 300;

/** A new session row for a user who has just proved who they are, under their current session version. */
export async function createSession(db: DbOrTx, userId: string, client: { userAgent: string; ip: string | null }): Promise<string> {
  const [user] = await db.select({ version: users.sessionVersion }).from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError("User");
  const [row] = await db
    .insert(userSessions)
    .values({
      userId,
      sessionVersion: user.version,
      userAgent: client.userAgent.slice(0, USER_AGENT_MAX),
      ip: client.ip,
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
    })
    .returning({ id: userSessions.id });
  return row!.id;
}

const live = and(isNull(userSessions.revokedAt), gt(userSessions.expiresAt, sql`now()`), eq(userSessions.sessionVersion, users.sessionVersion));

/**
 * The user behind a session cookie while the session is live: not signed out or revoked, not expired, and made
 * under the user's current session version. Notes the time it was last seen (at most once a minute).
 */
export async function liveSessionUser(db: DbOrTx, userId: string, sessionId: string) {
  const [row] = await db
    .select({ user: users, lastSeenAt: userSessions.lastSeenAt })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), live));
  if (!row) return null;
  const minuteAgo = new Date(Date.now() - 60_000);
  if (row.lastSeenAt < minuteAgo) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: new Date() })
      .where(and(eq(userSessions.id, sessionId), lt(userSessions.lastSeenAt, minuteAgo)));
  }
  return row.user;
}

/**
 * Ends every session of the user at once by moving to a new session version; `keep` (the caller's own session,
 * after a password or two-factor change) moves with it.
 */
export async function endAllSessions(db: DbOrTx, userId: string, keep?: string | null): Promise<void> {
  const [user] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ version: users.sessionVersion });
  if (!user) throw new NotFoundError("User");
  if (keep) {
    await db
      .update(userSessions)
      .set({ sessionVersion: user.version })
      .where(and(eq(userSessions.id, keep), eq(userSessions.userId, userId), isNull(userSessions.revokedAt)));
  }
}

export async function revokeSession(db: DbOrTx, userId: string, sessionId: string): Promise<void> {
  const rows = await db
    .update(userSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), isNull(userSessions.revokedAt)))
    .returning({ id: userSessions.id });
  if (rows.length === 0) throw new NotFoundError("Session");
}

/** The user's live sessions, most recently seen first. */
export async function listLiveSessions(db: DbOrTx, userId: string) {
  return db
    .select({ id: userSessions.id, userAgent: userSessions.userAgent, ip: userSessions.ip, lastSeenAt: userSessions.lastSeenAt, createdAt: userSessions.createdAt })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.userId, userId), live))
    .orderBy(desc(userSessions.lastSeenAt));
}

/** Sessions that can no longer be used, for the maintenance task. */
export async function pruneDeadSessions(db: DbOrTx): Promise<number> {
  const rows = await db
    .delete(userSessions)
    .where(or(lt(userSessions.expiresAt, sql`now()`), lt(userSessions.revokedAt, sql`now() - interval '1 day'`)))
    .returning({ id: userSessions.id });
  return rows.length;
}
