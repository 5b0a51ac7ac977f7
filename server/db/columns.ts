import { customType, timestamp, uuid } from "drizzle-orm/pg-core";
import { decryptString, encryptString } from "@/server/crypto/secret-box";

/** Secret values of a plugin configuration: a JSON object, AES-256-GCM encrypted as a whole. The only way secrets are stored. */
export const encryptedJson = customType<{ data: Record<string, unknown>; driverData: string }>({
  dataType() {
    return "text";
  },
  toDriver(value) {
    return encryptString(JSON.stringify(value));
  },
  fromDriver(value) {
    return JSON.parse(decryptString(value)) as Record<string, unknown>;
  },
});

export const id = () => uuid().primaryKey().defaultRandom();

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
