import { bigint, foreignKey, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "@/server/db/columns";
import { backups } from "./backups";
import { organizationKeys } from "./organization-keys";
import { storageLocations } from "./storage-locations";

/**
 * The files of incremental filestore backups, each stored once per storage location at `objects/<org>/<id[0..2]>/<id>`
 * and shared by every backup of every environment there. `id` is the file's sha1 (Odoo's own name for it) when
 * stored plain, or an HMAC of that sha1 under the organization's key when encrypted, so the storage provider cannot
 * tell which files an organization holds. A row exists from before its object is written (`storedAt` null until the
 * object is complete and read back) until the sweep removes both; `backup_filestore_objects` rows keep it.
 */
export const filestoreObjects = pgTable(
  "filestore_objects",
  {
    storageLocationId: uuid()
      .notNull()
      .references(() => storageLocations.id, { onDelete: "cascade" }),
    id: text().notNull(),
    /** The content's sha1 and sha256: the first dedups (Odoo names files by it), the second is what every read checks. */
    sha1: text().notNull(),
    sha256: text().notNull(),
    /** The file's size, and the stored object's (larger when encrypted). */
    size: bigint({ mode: "number" }).notNull(),
    storedSize: bigint({ mode: "number" }).notNull(),
    /** The sha256 of each chunk of a file larger than one chunk (see object-chunks); null for a smaller file. */
    chunks: text().array(),
    /** The organization key the object's own key derives from; null for a plain object. */
    encryptionKeyId: uuid().references(() => organizationKeys.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    /** When the object was written and read back; null while it is being written (a writer then writes it again). */
    storedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.storageLocationId, t.id] })],
);

/** Which objects each backup's filestore index references: the sweep removes an object only once no row names it. */
export const backupFilestoreObjects = pgTable(
  "backup_filestore_objects",
  {
    backupId: uuid()
      .notNull()
      .references(() => backups.id, { onDelete: "cascade" }),
    storageLocationId: uuid().notNull(),
    objectId: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.backupId, t.storageLocationId, t.objectId] }),
    // Restrict: an object a backup references cannot leave the catalog, whatever races the sweep.
    foreignKey({ columns: [t.storageLocationId, t.objectId], foreignColumns: [filestoreObjects.storageLocationId, filestoreObjects.id] }).onDelete("restrict"),
    index("backup_filestore_objects_object_idx").on(t.storageLocationId, t.objectId),
  ],
);
