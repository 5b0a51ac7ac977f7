import { boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
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
    /** `console`: a signed console URL that streams through the console (revocable at once); `provider`: presigned by the storage. */
    signedBy: text().$type<"console" | "provider">().notNull().default("console"),
    /** For an encrypted backup file: the console decrypts it as it serves it (….gz) instead of handing out the age file. */
    decrypted: boolean().notNull().default(false),
    /** An export format the backup's source declares (e.g. `odoo-zip`): the console builds that file from the backup's files as it serves it; null for a stored file. */
    format: text(),
    /** For an export: the source made the exported copy harmless, as a neutralized restore does. */
    neutralized: boolean().notNull().default(false),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("download_links_backup_idx").on(t.backupId, t.createdAt.desc())],
);
