import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import type { ProgressSnapshot } from "@/server/jobs/run-progress";
import { failureKindEnum, restoreStatusEnum, restoreTargetEnum } from "./enums";
import { backups } from "./backups";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import { users } from "./users";

/** One line of a run's log (a backup's or a restore's), shown with the run. */
export type RunLogEntry = { at: string; message: string; level: "info" | "warn" | "error" };
export type RestoreReport = { identityRegenerated: boolean; neutralized: string[]; erasedRecords: number; erasedSubjects: number };

export const restores = pgTable(
  "restores",
  {
    id: id(),
    orgId: organizationId(),
    backupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    /** The environment the backup was taken of (kept when the backup itself is deleted). */
    sourceEnvironmentId: uuid().references(() => environments.id, { onDelete: "set null" }),
    target: restoreTargetEnum().notNull(),
    targetEnvironmentId: uuid().references(() => environments.id, { onDelete: "set null" }),
    safetyBackup: boolean().notNull().default(true),
    includeFilestore: boolean().notNull().default(true),
    neutralize: boolean().notNull().default(false),
    status: restoreStatusEnum().notNull().default("pending"),
    progress: jsonb().$type<ProgressSnapshot>(),
    log: jsonb().$type<RunLogEntry[]>().notNull().default([]),
    report: jsonb().$type<RestoreReport>(),
    safetyBackupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    /** Where the replaced database and filestore were moved, until the operator discards them. */
    previousCopy: jsonb().$type<{ description: string } & Record<string, unknown>>(),
    previousCopyDiscardedAt: timestamp({ withTimezone: true }),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    error: text(),
    failureKind: failureKindEnum(),
    /** Refreshed every second while the restore runs; a stale heartbeat means its worker died. */
    heartbeatAt: timestamp({ withTimezone: true }),
    /** The worker process running it (`worker_processes.id`). */
    runnerId: text(),
    /** When the target's live data was first touched (the swap); everything before works on copies. */
    swappedAt: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("restores_org_created_idx").on(t.orgId, t.createdAt.desc()),
    index("restores_target_created_idx").on(t.targetEnvironmentId, t.createdAt.desc()),
    index("restores_running_idx").on(t.heartbeatAt).where(sql`${t.status} = 'in_progress'`),
  ],
);
