import { bigint, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { artifactKindEnum } from "./enums";
import { backups } from "./backups";
import { organizationKeys } from "./organization-keys";

export const backupArtifacts = pgTable(
  "backup_artifacts",
  {
    id: id(),
    backupId: uuid()
      .notNull()
      .references(() => backups.id, { onDelete: "cascade" }),
    kind: artifactKindEnum().notNull(),
    /** Object key inside the storage location. */
    key: text().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    sha256: text().notNull(),
    /** The organization key the stored file is encrypted to (age); null for a plain gzip file. */
    encryptionKeyId: uuid().references(() => organizationKeys.id, { onDelete: "set null" }),
    /** `file`: the object is the artifact itself; `objects`: it is a filestore index naming shared `filestore_objects`. */
    layout: text({ enum: ["file", "objects"] }).notNull().default("file"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("backup_artifacts_backup_kind_idx").on(t.backupId, t.kind)],
);
