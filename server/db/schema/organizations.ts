import { boolean, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "@/server/db/columns";

export const organizations = pgTable("organizations", {
  id: id(),
  name: text().notNull(),
  /** Whether viewers may create download links (off by default). */
  viewersCanDownload: boolean().notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
