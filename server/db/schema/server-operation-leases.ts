import { index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { servers } from "./servers";

/**
 * One row per operation that holds or waits for one of a server's slots (`servers.maxConcurrentOperations`),
 * shared by every worker process. A `running` row counts against the limit only while its runner process is
 * present and its run is still running, so a killed worker's row never blocks the server. A `waiting` row keeps
 * its place in line (oldest `queuedAt` first) while its job is polled again every few seconds.
 */
export const serverOperationLeases = pgTable(
  "server_operation_leases",
  {
    serverId: uuid()
      .notNull()
      .references(() => servers.id, { onDelete: "cascade" }),
    runKind: text({ enum: ["backup", "restore", "drill"] }).notNull(),
    runId: uuid().notNull(),
    state: text({ enum: ["running", "waiting"] }).notNull(),
    /** The worker process running it (`worker_processes.id`); null while it waits. */
    runnerId: text(),
    /** When it first asked for a slot: its place in line. */
    queuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When it last asked: a waiting row not refreshed for a while (its run ended or was deleted) loses its place. */
    checkedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runKind, t.runId] }), index("server_operation_leases_server_idx").on(t.serverId, t.state, t.queuedAt)],
);
