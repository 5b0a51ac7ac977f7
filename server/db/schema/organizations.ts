import { boolean, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";

export const organizations = pgTable("organizations", {
  id: id(),
  name: text().notNull(),
  /** Whether viewers may create download links (off by default). */
  viewersCanDownload: boolean().notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** The owning organization of an org-scoped row; its rows go with it. */
export const organizationId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });
