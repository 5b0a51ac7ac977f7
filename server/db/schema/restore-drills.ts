import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { failureKindEnum, restoreStatusEnum } from "./enums";
import { backups } from "./backups";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import type { ProgressSnapshot } from "@/server/jobs/run-progress";
import type { RunLogEntry } from "./restores";
import { servers } from "./servers";
import { users } from "./users";

/** One check of a drill: what was compared, whether it held, and the values it found. */
export type DrillCheck = { check: string; ok: boolean; detail: string };

/**
 * A restore drill: the environment's latest verified backup restored into a scratch database and folder on a
 * server, checked against what the backup recorded (row counts, files), then dropped. No environment is touched.
 */
export const restoreDrills = pgTable(
  "restore_drills",
  {
    id: id(),
    orgId: organizationId(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    /** The backup restored (null until the drill picked it, or once it was deleted). */
    backupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    /** The server the scratch copy was made on. */
    serverId: uuid().references(() => servers.id, { onDelete: "set null" }),
    status: restoreStatusEnum().notNull().default("pending"),
    progress: jsonb().$type<ProgressSnapshot>(),
    log: jsonb().$type<RunLogEntry[]>().notNull().default([]),
    checks: jsonb().$type<DrillCheck[]>().notNull().default([]),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    error: text(),
    failureKind: failureKindEnum(),
    /** For a scheduled drill, the schedule slot it runs for: one drill per environment and slot. */
    scheduledFor: timestamp({ withTimezone: true }),
    heartbeatAt: timestamp({ withTimezone: true }),
    runnerId: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("restore_drills_environment_created_idx").on(t.environmentId, t.createdAt.desc()),
    index("restore_drills_backup_finished_idx").on(t.backupId, t.finishedAt.desc()).where(sql`${t.status} = 'completed'`),
    uniqueIndex("restore_drills_scheduled_slot_idx").on(t.environmentId, t.scheduledFor).where(sql`${t.scheduledFor} is not null`),
    index("restore_drills_running_idx").on(t.heartbeatAt).where(sql`${t.status} = 'in_progress'`),
  ],
);
