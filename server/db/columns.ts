import { customType, timestamp, uuid } from "drizzle-orm/pg-core";
import type { Sealed } from "@/server/crypto/secret-box";

/**
 * A sealed secret, stored as text: written and read only through `server/db/sealed-columns.ts`, which seals it for
 * its table, column and row. The branded type keeps a plain value from being stored here by mistake.
 */
export const sealedText = customType<{ data: Sealed; driverData: string }>({
  dataType() {
    return "text";
  },
});

export const id = () => uuid().primaryKey().defaultRandom();

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
