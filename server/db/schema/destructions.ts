import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { DESTRUCTION_STATUSES, KEEP_FINAL_BACKUPS } from "./enums";
import { backups } from "./backups";
import { environments } from "./environments";
import { organizationId } from "./organizations";
import { projects } from "./projects";
import { users } from "./users";

/** "Destroy environment": a final backup, then the source's data removed, then the environment archived. */
export const destructions = pgTable(
  "destructions",
  {
    id: id(),
    orgId: organizationId(),
    environmentId: uuid().references(() => environments.id, { onDelete: "cascade" }),
    projectId: uuid().references(() => projects.id, { onDelete: "cascade" }),
    /** "Project / environment", kept for the history once the environment is purged. */
    label: text().notNull(),
    /** Part of offboarding the whole project: the project is archived once its last environment is. */
    offboarding: boolean().notNull().default(false),
    keepBackups: text({ enum: KEEP_FINAL_BACKUPS }).notNull(),
    status: text({ enum: DESTRUCTION_STATUSES }).notNull().default("pending"),
    backupId: uuid().references(() => backups.id, { onDelete: "set null" }),
    /** What the source reported removing, one line each. */
    removed: jsonb().$type<string[]>().notNull().default([]),
    error: text(),
    /** The worker process running it (`worker_processes.id`): the stale-run reaper fails it once that process is gone. */
    runnerId: text(),
    requestedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("destructions_environment_idx").on(t.environmentId, t.createdAt.desc()), index("destructions_project_idx").on(t.projectId)],
);
