import { jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, encryptedJson, id, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";

export const servers = pgTable(
  "servers",
  {
    id: id(),
    orgId: organizationId(),
    name: text().notNull(),
    /** A server-kind contribution id, e.g. `local` or `ssh`. */
    kind: text().notNull(),
    /** The non-secret fields of the kind's configuration. */
    config: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The fields the kind's schema marks secret. */
    secrets: encryptedJson().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("servers_org_name_idx").on(t.orgId, t.name)],
);
