import { index, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { artifactKindEnum } from "./enums";
import { backups } from "./backups";
import { organizationId } from "./organizations";
import { users } from "./users";

export const downloadLinks = pgTable(
  "download_links",
  {
    id: id(),
    orgId: organizationId(),
    backupId: uuid()
      .notNull()
      .references(() => backups.id, { onDelete: "cascade" }),
    artifact: artifactKindEnum().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("download_links_backup_idx").on(t.backupId, t.createdAt.desc())],
);
