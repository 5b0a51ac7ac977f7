import { pruneLoginAttempts } from "@/server/auth/login-throttle";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";

/** Sign-in attempts older than a day no longer count towards throttling. */
export const pruneLoginAttemptsTask = defineTask("maintenance/prune-login-attempts", async (_payload, helpers) => {
  const removed = await pruneLoginAttempts(getDb());
  if (removed > 0) helpers.logger.info(`Pruned ${removed} old sign-in attempts`);
});
