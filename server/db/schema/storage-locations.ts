import { sql } from "drizzle-orm";
import { boolean, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, sealedText, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";

export const storageLocations = pgTable(
  "storage_locations",
  {
    id: id(),
    orgId: organizationId(),
    name: text().notNull(),
    /** A storage-provider contribution id, e.g. `local` or `s3`. */
    provider: text().notNull(),
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    secrets: sealedText().notNull(),
    isDefault: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("storage_locations_org_name_idx").on(t.orgId, t.name),
    uniqueIndex("storage_locations_one_default_idx").on(t.orgId).where(sql`${t.isDefault}`),
  ],
);
