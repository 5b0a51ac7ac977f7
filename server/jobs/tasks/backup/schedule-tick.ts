import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { enqueueDueBackups } from "@/server/schedules/enqueue-due-backups";

/** Every minute: queue the scheduled backups whose slot has come (graphile-worker runs each minute once). */
export const scheduleTickTask = defineTask("backup/schedule-tick", async (_payload, helpers) => {
  const { enqueued } = await enqueueDueBackups(getDb());
  if (enqueued > 0) helpers.logger.info(`Queued ${enqueued} scheduled backup(s)`);
});
