import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";
import { pluginHost } from "@/server/plugins/process-host";
import { runRetentionPass } from "@/server/retention/retention-pass";

/** Every 15 minutes: expire what the retention rules no longer keep, and remove its files from storage. */
export const retentionTask = defineTask("backup/retention", async (_payload, helpers) => {
  const { expired, failed } = await runRetentionPass(getDb(), pluginHost());
  if (expired > 0) helpers.logger.info(`Retention expired ${expired} backup(s)`);
  if (failed > 0) helpers.logger.warn(`Retention could not expire ${failed} backup(s); see the activity log`);
});
