import type { TaskList } from "graphile-worker";
import { pruneLoginAttemptsTask } from "./maintenance/prune-login-attempts";

/** Every task the worker runs, by id (`domain/action`). */
export const taskList: TaskList = {
  "maintenance/prune-login-attempts": pruneLoginAttemptsTask,
};

/** Recurring tasks; several workers may run this crontab, graphile-worker runs each slot once. */
export const crontab = ["17 * * * * maintenance/prune-login-attempts"].join("\n");
