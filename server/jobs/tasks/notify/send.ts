import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { deliverNotification } from "@/server/notifications/deliver";
import { pluginHost } from "@/server/plugins/process-host";

/**
 * One attempt at a notification delivery. A failure is thrown so graphile-worker retries it with exponential
 * backoff; the last attempt marks the delivery failed and completes the job.
 */
export const sendNotificationTask = defineTask("notify/send", async ({ deliveryId }, helpers) => {
  const outcome = await deliverNotification(getDb(), pluginHost(), deliveryId, { number: helpers.job.attempts, max: helpers.job.max_attempts });
  if (outcome.status === "failed") helpers.logger.error(`Notification ${deliveryId} failed after ${helpers.job.attempts} attempts: ${outcome.error}`);
  if (outcome.status === "retry") throw new Error(outcome.error);
});
