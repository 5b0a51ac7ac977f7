import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "@/server/db/columns";
import { environments } from "./environments";
import { organizationId } from "./organizations";

/** Why an environment had no successful backup within its window (see server/schedules/find-overdue.ts). */
export const OVERDUE_REASONS = ["no_worker", "failing", "never_ran"] as const;
export type OverdueReason = (typeof OVERDUE_REASONS)[number];

/**
 * One row per (environment, slot) an "overdue" notification was sent for. The unique index is what makes the
 * check safe to run in every web and worker process at once: whichever inserts the row first sends.
 */
export const overdueAlerts = pgTable(
  "overdue_alerts",
  {
    id: id(),
    orgId: organizationId(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    /** The slot whose period had no successful backup. */
    slot: timestamp({ withTimezone: true }).notNull(),
    reason: text({ enum: OVERDUE_REASONS }).notNull(),
    /** One line on what was seen, e.g. the failed run's error. */
    detail: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("overdue_alerts_environment_slot_idx").on(t.environmentId, t.slot), index("overdue_alerts_org_created_idx").on(t.orgId, t.createdAt.desc())],
);
