import type { TaskList } from "graphile-worker";
import { runBackupTask } from "./backup/run";
import { pruneLoginAttemptsTask } from "./maintenance/prune-login-attempts";
import { reapStaleRunsTask } from "./maintenance/reap-stale-runs";
import { runRestoreTask } from "./restore/run";
import type { TaskPayloads } from "./payloads";

/** Every task the worker runs, by id (`domain/action`). */
export const taskList: TaskList & Record<keyof TaskPayloads, unknown> = {
  "backup/run": runBackupTask,
  "restore/run": runRestoreTask,
  "maintenance/reap-stale-runs": reapStaleRunsTask,
  "maintenance/prune-login-attempts": pruneLoginAttemptsTask,
};

/** Recurring tasks; several workers may run this crontab, graphile-worker runs each slot once. */
export const crontab = ["* * * * * maintenance/reap-stale-runs", "17 * * * * maintenance/prune-login-attempts"].join("\n");
