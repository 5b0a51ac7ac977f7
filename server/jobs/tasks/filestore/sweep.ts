import { getDb } from "@/server/db";
import { sweepLocation } from "@/server/filestore/sweep";
import { sweepJobKey, sweepQueue } from "@/server/filestore/sweep-queue";
import { defineTask } from "@/server/jobs/define-task";
import { enqueueJob } from "@/server/jobs/enqueue";
import { pluginHost } from "@/server/plugins/process-host";

/** How long a sweep waits when a backup or copy is writing to the location. */
const BUSY_RETRY_MS = 10 * 60_000;

/** Removes a location's filestore objects no backup references; while writers hold the location, tries again later. */
export const sweepFilestoreTask = defineTask("filestore/sweep", async ({ storageLocationId }, helpers) => {
  const outcome = await sweepLocation(getDb(), pluginHost(), storageLocationId);
  if (!outcome) {
    await enqueueJob(getDb(), "filestore/sweep", { storageLocationId }, { jobKey: sweepJobKey(storageLocationId), queueName: sweepQueue(storageLocationId), runAt: new Date(Date.now() + BUSY_RETRY_MS) });
    helpers.logger.info(`Filestore sweep of location ${storageLocationId}: objects are being written, trying again in 10 minutes`);
    return;
  }
  helpers.logger.info(
    `Filestore sweep of location ${storageLocationId}: removed ${outcome.objects} unreferenced object(s) (${outcome.bytes} bytes) and ${outcome.leftovers} leftover(s) of interrupted writes (${outcome.leftoverBytes} bytes)`,
  );
});
