import { bigint, boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";
import { storageLocations } from "./storage-locations";
import { users } from "./users";

/**
 * How the console backs up its own database (one row: the console has one database): on which schedule, to
 * which storage location, set by an admin of the organization that location belongs to.
 */
export const selfBackupSettings = pgTable("self_backup_settings", {
  /** Always `console`: one row. */
  id: text().primaryKey().default("console"),
  orgId: organizationId(),
  enabled: boolean().notNull().default(false),
  /** Cron, in UTC. */
  schedule: text().notNull().default("0 3 * * *"),
  storageLocationId: uuid().references(() => storageLocations.id, { onDelete: "set null" }),
  updatedAt: updatedAt(),
});

export const SELF_BACKUP_STATUSES = ["running", "completed", "failed"] as const;

export const selfBackupRuns = pgTable(
  "self_backup_runs",
  {
    id: id(),
    status: text({ enum: SELF_BACKUP_STATUSES }).notNull().default("running"),
    storageLocationId: uuid().references(() => storageLocations.id, { onDelete: "set null" }),
    /** The encrypted dump's object key, `safehold-console/<timestamp>/console.sql.gz.age`. */
    key: text(),
    sizeBytes: bigint({ mode: "number" }),
    sha256: text(),
    error: text(),
    /** For a scheduled run, its schedule slot: one run per slot. */
    scheduledFor: timestamp({ withTimezone: true }),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("self_backup_runs_slot_idx").on(t.scheduledFor), index("self_backup_runs_created_idx").on(t.createdAt.desc())],
);
