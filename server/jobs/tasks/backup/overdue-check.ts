import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";
import { checkOverdue } from "@/server/schedules/check-overdue";

/** Every minute: the dead-man check (the web processes run it too, so it goes on when no worker does). */
export const overdueCheckTask = defineTask("backup/overdue-check", async (_payload, helpers) => {
  const { alerted } = await checkOverdue(getDb(), pluginHost());
  if (alerted > 0) helpers.logger.info(`Sent overdue notifications for ${alerted} environment(s)`);
});
