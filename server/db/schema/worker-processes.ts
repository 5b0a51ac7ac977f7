import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row per worker process. While the process lives it keeps a database session named after its id
 * (`application_name`), so a paused process still counts as alive and a killed one is gone as soon as
 * PostgreSQL notices its connection closed; `heartbeatAt` shows when it last did anything.
 */
export const workerProcesses = pgTable("worker_processes", {
  id: text().primaryKey(),
  hostname: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
