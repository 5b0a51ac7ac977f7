import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, sealedText, updatedAt } from "@/server/db/columns";
import { KEEP_FINAL_BACKUPS, stageEnum } from "./enums";
import { organizationId } from "./organizations";
import { projects } from "./projects";
import { servers } from "./servers";

export const environments = pgTable(
  "environments",
  {
    id: id(),
    orgId: organizationId(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "restrict" }),
    serverId: uuid()
      .notNull()
      .references(() => servers.id, { onDelete: "restrict" }),
    name: text().notNull(),
    stage: stageEnum().notNull(),
    /** A source contribution id, e.g. `postgres` or `odoo`. */
    source: text().notNull(),
    sourceConfig: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    sourceSecrets: sealedText().notNull(),
    /**
     * Set on an environment a catalog import made up for backups of an environment this console no longer knows:
     * it holds those backups, is never scheduled, backed up or restored into, and is not counted in compliance.
     */
    archivedAt: timestamp({ withTimezone: true }),
    /**
     * Set when the environment was destroyed: how long its final backups are kept (GFS no longer applies to them).
     * Backups of an environment archived with `keep_backups` set expire at `keepBackupsUntil`, never when it is null.
     */
    keepBackups: text({ enum: KEEP_FINAL_BACKUPS }),
    keepBackupsUntil: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("environments_project_name_idx").on(t.projectId, t.name),
    index("environments_org_idx").on(t.orgId, t.name),
    index("environments_server_idx").on(t.serverId),
  ],
);
