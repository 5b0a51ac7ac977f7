import { sql } from "drizzle-orm";
import { boolean, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import { storageLocations } from "./storage-locations";

/**
 * The org default policy (environmentId null, every field set) and per-environment overrides
 * (environmentId set; a null field means "inherit the org default").
 */
export const backupPolicies = pgTable(
  "backup_policies",
  {
    id: id(),
    orgId: organizationId(),
    environmentId: uuid().references(() => environments.id, { onDelete: "cascade" }),
    enabled: boolean(),
    schedule: text(),
    timezone: text(),
    storageLocationId: uuid().references(() => storageLocations.id, { onDelete: "set null" }),
    includeFilestore: boolean(),
    /** How a filestore is kept: `objects` (each file stored once, shared by backups) or `archive` (a full tar each time); null: inherit. */
    filestoreLayout: text({ enum: ["objects", "archive"] }),
    keepDaily: integer(),
    keepWeekly: integer(),
    keepMonthly: integer(),
    keepYearly: integer(),
    notifyOnSuccess: boolean(),
    notifyOnFailure: boolean(),
    /** Null: inherit; an empty array: notify nobody. */
    notificationChannelIds: uuid().array(),
    /** The storage locations that receive a second copy of each verified backup. Null: inherit; an empty array: none. */
    copyStorageLocationIds: uuid().array(),
    /** Whether backups are encrypted to the organization key (age). */
    encrypt: boolean(),
    /** Restore drills `{ enabled, schedule, serverId }`, overridden as a whole; null: inherit. */
    drill: jsonb().$type<{ enabled: boolean; schedule: string; serverId: string | null }>(),
    /** Minutes after the schedule's time within which each environment takes its own stable start; null: inherit. */
    spreadMinutes: integer(),
    /** Retries of a transiently failed scheduled backup `{ attempts, withinMinutes }`, overridden as a whole; null: inherit. */
    retries: jsonb().$type<{ attempts: number; withinMinutes: number }>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("backup_policies_org_default_idx").on(t.orgId).where(sql`${t.environmentId} is null`),
    uniqueIndex("backup_policies_environment_idx").on(t.environmentId),
  ],
);
