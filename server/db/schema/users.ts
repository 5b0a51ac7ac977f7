import { bigint, boolean, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, sealedText } from "@/server/db/columns";

export const users = pgTable(
  "users",
  {
    id: id(),
    email: text().notNull(),
    name: text().notNull().default(""),
    passwordHash: text().notNull(),
    /** Set by an admin's reset: the temporary password must be replaced before anything else. */
    mustChangePassword: boolean().notNull().default(false),
    passwordChangedAt: timestamp({ withTimezone: true }),
    /** Sessions made under an older version are over: bumped by "sign out everywhere", password and two-factor changes, removal. */
    sessionVersion: integer().notNull().default(1),
    /** The TOTP secret, sealed; set during enrolment, in use once `totpEnabledAt` is set. */
    totpSecret: sealedText(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    /** The last accepted TOTP time step: a code cannot be used twice. */
    totpLastStep: bigint({ mode: "number" }),
    lastSignInAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`)],
);
