import type { TaskList } from "graphile-worker";
import { reapStaleBackupsTask } from "./backup/reap-stale";
import { runBackupTask } from "./backup/run";
import { pruneLoginAttemptsTask } from "./maintenance/prune-login-attempts";
import type { TaskPayloads } from "./payloads";

/** Every task the worker runs, by id (`domain/action`). */
export const taskList: TaskList & Record<keyof TaskPayloads, unknown> = {
  "backup/run": runBackupTask,
  "backup/reap-stale": reapStaleBackupsTask,
  "maintenance/prune-login-attempts": pruneLoginAttemptsTask,
};

/** Recurring tasks; several workers may run this crontab, graphile-worker runs each slot once. */
export const crontab = ["* * * * * backup/reap-stale", "17 * * * * maintenance/prune-login-attempts"].join("\n");
