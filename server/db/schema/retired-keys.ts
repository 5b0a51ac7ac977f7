import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { id, sealedText } from "@/server/db/columns";

/**
 * Keys derived from a master key that `safehold secrets rotate-key` replaced, kept because something made with them
 * must still verify: the manifests of backups taken before the rotation were signed with the old manifest-signing
 * key, and storage holds them as they were written. Each key is sealed under the current master key.
 */
export const retiredKeys = pgTable("retired_keys", {
  id: id(),
  purpose: text().$type<"manifest-signing">().notNull(),
  /** The id of the master key it was derived from (as in `v2.<keyId>.…` values), for messages. */
  masterKeyId: text().notNull(),
  /** The derived key, base64, sealed. */
  key: sealedText().notNull(),
  /** Only what was made before this instant may verify with this key. */
  retiredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
