import { getDb } from "@/server/db";
import { queueSweepsEverywhere } from "@/server/filestore/sweep-queue";
import { defineTask } from "@/server/jobs/define-task";

/** Once a day every location is swept, whether or not a backup went: this is what clears crash leftovers. */
export const sweepFilestoresDailyTask = defineTask("filestore/sweep-daily", async (_payload, helpers) => {
  const count = await queueSweepsEverywhere(getDb());
  helpers.logger.info(`Queued the daily filestore sweep of ${count} storage location(s)`);
});
