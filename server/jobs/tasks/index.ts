import type { TaskList } from "graphile-worker";
import { copyBackupTask } from "./backup/copy";
import { retentionTask } from "./backup/retention";
import { runBackupTask } from "./backup/run";
import { runImportTask } from "./import/run";
import { overdueCheckTask } from "./backup/overdue-check";
import { scheduleTickTask } from "./backup/schedule-tick";
import { pruneLoginAttemptsTask } from "./maintenance/prune-login-attempts";
import { reapStaleRunsTask } from "./maintenance/reap-stale-runs";
import { sendNotificationTask } from "./notify/send";
import { runRestoreTask } from "./restore/run";
import { runSelfBackupTask } from "./self-backup/run";
import { selfBackupTickTask } from "./self-backup/tick";
import { runDrillTask } from "./drill/run";
import { destroyEnvironmentTask } from "./environment/destroy";
import { sweepFilestoresDailyTask } from "./filestore/sweep-daily";
import { sweepFilestoreTask } from "./filestore/sweep";
import type { TaskPayloads } from "./payloads";

/** Every task the worker runs, by id (`domain/action`). */
export const taskList: TaskList & Record<keyof TaskPayloads, unknown> = {
  "backup/run": runBackupTask,
  "import/run": runImportTask,
  "backup/copy": copyBackupTask,
  "backup/schedule-tick": scheduleTickTask,
  "backup/overdue-check": overdueCheckTask,
  "backup/retention": retentionTask,
  "restore/run": runRestoreTask,
  "drill/run": runDrillTask,
  "environment/destroy": destroyEnvironmentTask,
  "notify/send": sendNotificationTask,
  "maintenance/reap-stale-runs": reapStaleRunsTask,
  "maintenance/prune-login-attempts": pruneLoginAttemptsTask,
  "self-backup/run": runSelfBackupTask,
  "self-backup/tick": selfBackupTickTask,
  "filestore/sweep": sweepFilestoreTask,
  "filestore/sweep-daily": sweepFilestoresDailyTask,
};

/** Recurring tasks; several workers may run this crontab, graphile-worker runs each slot once. */
export const crontab = [
  "* * * * * backup/schedule-tick",
  "* * * * * backup/overdue-check",
  "*/15 * * * * backup/retention",
  "* * * * * maintenance/reap-stale-runs",
  "17 * * * * maintenance/prune-login-attempts",
  "* * * * * self-backup/tick",
  "43 3 * * * filestore/sweep-daily",
].join("\n");
