import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { organizationId } from "./organizations";
import { users } from "./users";

/** Only the SHA-256 of a token is stored; the token itself is shown once. */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    orgId: organizationId(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    tokenHash: text().notNull(),
    /** First characters of the token, to recognise it in a list. */
    prefix: text().notNull(),
    lastUsedAt: timestamp({ withTimezone: true }),
    /** Null: never expires. */
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_tokens_hash_idx").on(t.tokenHash), index("api_tokens_user_idx").on(t.orgId, t.userId)],
);
