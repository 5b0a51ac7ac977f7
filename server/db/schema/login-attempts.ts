import { bigserial, boolean, index, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "@/server/db/columns";

/** Sign-in attempts, kept in the database so throttling holds across every web process. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    email: text().notNull(),
    ip: text(),
    succeeded: boolean().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("login_attempts_email_idx").on(t.email, t.createdAt), index("login_attempts_ip_idx").on(t.ip, t.createdAt)],
);
