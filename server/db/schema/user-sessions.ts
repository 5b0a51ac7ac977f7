import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { users } from "./users";

/** One signed-in browser. The session cookie names its row; a request is served only while the row is live. */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Must equal the user's `sessionVersion` for the session to be live. */
    sessionVersion: integer().notNull(),
    userAgent: text().notNull().default(""),
    ip: text(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId, t.createdAt)],
);

/** Ten one-time codes per user for signing in without the authenticator; only their SHA-256 is kept. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);
