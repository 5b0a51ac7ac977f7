import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";
import { backups } from "./backups";
import { copyStatusEnum } from "./enums";
import { storageLocations } from "./storage-locations";

/**
 * A second copy of a completed backup: the same object keys with the same bytes in another storage location,
 * written by the `backup/copy` job and verified by reading it back against `backup_artifacts`.
 */
export const backupCopies = pgTable(
  "backup_copies",
  {
    id: id(),
    backupId: uuid()
      .notNull()
      .references(() => backups.id, { onDelete: "cascade" }),
    storageLocationId: uuid()
      .notNull()
      .references(() => storageLocations.id, { onDelete: "cascade" }),
    status: copyStatusEnum().notNull().default("pending"),
    /** Attempts made so far (graphile-worker retries a failed one with backoff). */
    attempts: integer().notNull().default(0),
    /** The last attempt's error, one line; kept while a retry waits. */
    error: text(),
    /** When every object was read back from the copy location and matched the catalog's size and sha256. */
    verifiedAt: timestamp({ withTimezone: true }),
    sizeBytes: bigint({ mode: "number" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("backup_copies_backup_location_idx").on(t.backupId, t.storageLocationId),
    index("backup_copies_storage_location_idx").on(t.storageLocationId),
    // The dashboard's failed copies.
    index("backup_copies_failed_idx").on(t.updatedAt.desc()).where(sql`${t.status} = 'failed'`),
  ],
);
