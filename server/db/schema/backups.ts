import type { ApplicationInfo } from "@safehold/plugin-api";
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, uniqueIndex, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import type { ProgressSnapshot } from "@/server/jobs/run-progress";
import type { RunLogEntry } from "./restores";
import { BACKUP_ORIGINS, backupStatusEnum, backupTypeEnum, failureKindEnum, retentionClassEnum } from "./enums";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import { projects } from "./projects";
import { storageLocations } from "./storage-locations";
import { users } from "./users";

/** What a restore of the backup must reproduce, counted while it streamed (also in its manifest as `proof`). */
export type BackupProof = { tables?: Record<string, number>; filestore?: { files: number; bytes: number } };

export const backups = pgTable(
  "backups",
  {
    id: id(),
    orgId: organizationId(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    storageLocationId: uuid().references(() => storageLocations.id, { onDelete: "set null" }),
    type: backupTypeEnum().notNull(),
    status: backupStatusEnum().notNull().default("pending"),
    name: text().notNull().default(""),
    notes: text().notNull().default(""),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    retentionClass: retentionClassEnum().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    includeFilestore: boolean().notNull().default(true),
    verified: boolean().notNull().default(false),
    /** Kept whatever retention says, until unpinned. */
    pinned: boolean().notNull().default(false),
    /** A pre-upgrade backup: kept whatever retention says until an operator releases it. */
    held: boolean().notNull().default(false),
    progress: jsonb().$type<ProgressSnapshot>(),
    sizeBytes: bigint({ mode: "number" }),
    error: text(),
    /** What the run reported as it went (the source's own lines included). */
    log: jsonb().$type<RunLogEntry[]>().notNull().default([]),
    failureKind: failureKindEnum(),
    /** Which attempt this is (a scheduled backup that failed for a transient reason is tried again as the same row). */
    attempt: integer().notNull().default(1),
    /** How many attempts its policy allows; set once a retry is scheduled, null before. */
    maxAttempts: integer(),
    sourceMeta: jsonb().$type<Record<string, unknown>>(),
    /** The application the backup was taken at (e.g. Odoo 16.0 and its modules), as the source reported it. */
    application: jsonb().$type<ApplicationInfo>(),
    /** Row counts per table and the filestore's files and bytes, as the manifest's `proof` records them. */
    proof: jsonb().$type<BackupProof>(),
    /** Refreshed every second while the backup runs; a stale heartbeat means its worker died. */
    heartbeatAt: timestamp({ withTimezone: true }),
    /** The worker process running it (`worker_processes.id`): the reaper frees its queue only once that process is gone. */
    runnerId: text(),
    /** Its manifest carries chunk checksums and the console's signature (every backup since they were introduced). */
    signedManifest: boolean().notNull().default(false),
    /** For a scheduled backup, the schedule slot it runs for: one backup per environment and slot. */
    scheduledFor: timestamp({ withTimezone: true }),
    origin: text({ enum: BACKUP_ORIGINS }).notNull().default("taken"),
    /** For a foreign backup: when and by whom an admin confirmed it may be restored. */
    trustedAt: timestamp({ withTimezone: true }),
    trustedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("backups_org_created_idx").on(t.orgId, t.createdAt.desc(), t.id.desc()),
    index("backups_org_status_created_idx").on(t.orgId, t.status, t.createdAt.desc()),
    index("backups_org_type_created_idx").on(t.orgId, t.type, t.createdAt.desc()),
    index("backups_environment_created_idx").on(t.environmentId, t.createdAt.desc()),
    index("backups_project_created_idx").on(t.projectId, t.createdAt.desc()),
    index("backups_storage_location_idx").on(t.storageLocationId),
    uniqueIndex("backups_scheduled_slot_idx").on(t.environmentId, t.scheduledFor).where(sql`${t.scheduledFor} is not null`),
    index("backups_environment_completed_idx").on(t.environmentId, t.finishedAt.desc()).where(sql`${t.status} = 'completed'`),
    index("backups_running_idx").on(t.heartbeatAt).where(sql`${t.status} in ('in_progress', 'uploading')`),
    // The dashboard: runs finished per day and failures of the last 24 hours, index-only.
    index("backups_org_finished_idx").on(t.orgId, t.finishedAt, t.status).where(sql`${t.finishedAt} is not null`),
    // The dashboard: storage used per location by completed backups, index-only.
    index("backups_completed_storage_idx").on(t.orgId, t.storageLocationId, t.sizeBytes).where(sql`${t.status} = 'completed'`),
  ],
);
