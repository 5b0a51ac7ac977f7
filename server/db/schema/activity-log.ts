import { bigserial, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "@/server/db/columns";
import { outcomeEnum } from "./enums";
import { organizationId } from "./organizations";
import { users } from "./users";

export const activityLog = pgTable(
  "activity_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orgId: organizationId(),
    actorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Who acted, as shown: a user's email, "API token <name>", "CLI" or "system". Kept when the user is deleted. */
    actorLabel: text().notNull(),
    /** `domain.verb`, e.g. `project.create`, `storage_location.test`. */
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text(),
    targetLabel: text().notNull().default(""),
    outcome: outcomeEnum().notNull(),
    message: text().notNull().default(""),
    details: jsonb().$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("activity_log_org_created_idx").on(t.orgId, t.createdAt.desc(), t.id.desc()),
    index("activity_log_org_target_idx").on(t.orgId, t.targetType, t.targetId),
  ],
);
