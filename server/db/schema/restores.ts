import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { restoreStatusEnum, restoreTargetEnum } from "./enums";
import { backups } from "./backups";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import { users } from "./users";

export type RestoreProgress = { phase: string; bytes: number; updatedAt: string };

export const restores = pgTable(
  "restores",
  {
    id: id(),
    orgId: organizationId(),
    backupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    target: restoreTargetEnum().notNull(),
    targetEnvironmentId: uuid().references(() => environments.id, { onDelete: "set null" }),
    safetyBackup: boolean().notNull().default(true),
    includeFilestore: boolean().notNull().default(true),
    neutralize: boolean().notNull().default(false),
    status: restoreStatusEnum().notNull().default("pending"),
    progress: jsonb().$type<RestoreProgress>(),
    safetyBackupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    /** Where the replaced database and filestore were moved, until the operator discards them. */
    previousCopy: jsonb().$type<Record<string, unknown>>(),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    error: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("restores_org_created_idx").on(t.orgId, t.createdAt.desc()),
    index("restores_target_created_idx").on(t.targetEnvironmentId, t.createdAt.desc()),
  ],
);
