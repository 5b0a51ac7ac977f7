import { pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";
import { organizationId } from "./organizations";

export const projects = pgTable(
  "projects",
  {
    id: id(),
    orgId: organizationId(),
    name: text().notNull(),
    description: text().notNull().default(""),
    /** Set once the client was offboarded: every environment destroyed and archived. */
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("projects_org_name_idx").on(t.orgId, t.name)],
);
