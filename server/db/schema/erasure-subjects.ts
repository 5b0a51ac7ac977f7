import { index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { organizationId } from "./organizations";
import { projects } from "./projects";
import { users } from "./users";

/**
 * A data subject erased from a project (Right to be Forgotten). Backups taken before the erasure still hold
 * their data, so every restore into the project's environments anonymises them again.
 */
export const erasureSubjects = pgTable(
  "erasure_subjects",
  {
    id: id(),
    orgId: organizationId(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** An email address or a record reference (`type,id`, read by the environment's source), stored lower case. */
    subject: text().notNull(),
    note: text().notNull().default(""),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("erasure_subjects_project_subject_idx").on(t.projectId, t.subject), index("erasure_subjects_org_idx").on(t.orgId)],
);
