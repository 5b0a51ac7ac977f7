import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { enqueueDueBackups } from "@/server/schedules/enqueue-due-backups";
import { enqueueDueDrills } from "@/server/schedules/enqueue-due-drills";

/** Every minute: queue the scheduled backups and restore drills whose slot has come (graphile-worker runs each minute once). */
export const scheduleTickTask = defineTask("backup/schedule-tick", async (_payload, helpers) => {
  const { enqueued } = await enqueueDueBackups(getDb());
  if (enqueued > 0) helpers.logger.info(`Queued ${enqueued} scheduled backup(s)`);
  const drills = await enqueueDueDrills(getDb());
  if (drills.enqueued > 0) helpers.logger.info(`Queued ${drills.enqueued} restore drill(s)`);
});
