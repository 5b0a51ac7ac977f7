import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, sealedText } from "@/server/db/columns";
import { organizationId } from "./organizations";
import { users } from "./users";

/**
 * An organization's age key pairs: backups are encrypted to the current one (retiredAt null); retired ones stay so
 * that older backups remain readable. The private half is sealed under the console key, and leaves the console only
 * in the recovery kit, which its owners may fetch until one of them confirms having saved it.
 */
export const organizationKeys = pgTable(
  "organization_keys",
  {
    id: id(),
    orgId: organizationId(),
    /** The public key, `age1…`. */
    recipient: text().notNull(),
    /** The private key, `AGE-SECRET-KEY-1…`, sealed. */
    identity: sealedText().notNull(),
    createdAt: createdAt(),
    /** When a newer key replaced it; null for the key new backups are encrypted to. */
    retiredAt: timestamp({ withTimezone: true }),
    /** When an owner confirmed having saved the recovery kit; from then on the console never sends it again. */
    kitConfirmedAt: timestamp({ withTimezone: true }),
    kitConfirmedBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("organization_keys_current_idx").on(t.orgId).where(sql`${t.retiredAt} is null`), index("organization_keys_org_idx").on(t.orgId)],
);
