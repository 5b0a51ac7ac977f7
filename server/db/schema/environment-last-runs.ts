import { pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { backupStatusEnum, failureKindEnum } from "./enums";
import { environments } from "./environments";

/**
 * Each environment's newest finished backup run and newest success, kept by triggers on `backups` (migration
 * 0006) on every insert, status change and deletion, so compliance reads one row per environment instead of
 * probing the backups index twice per environment on every dashboard view.
 */
export const environmentLastRuns = pgTable("environment_last_runs", {
  environmentId: uuid()
    .primaryKey()
    .references(() => environments.id, { onDelete: "cascade" }),
  /** The newest (by creation) backup that finished: completed or failed. */
  lastRunStatus: backupStatusEnum(),
  /** Why that run failed, when it did. */
  lastRunFailureKind: failureKindEnum(),
  lastRunAt: timestamp({ withTimezone: true }),
  /** When the newest completed backup finished. */
  lastSuccessAt: timestamp({ withTimezone: true }),
});
