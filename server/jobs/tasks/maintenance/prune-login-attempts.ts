import { pruneLoginAttempts } from "@/server/auth/login-throttle";
import { pruneDeadSessions } from "@/server/auth/sessions";
import { getDb } from "@/server/db";
import { defineTask } from "@/server/jobs/define-task";

/** Sign-in attempts older than a day no longer count towards throttling; expired and revoked sessions are gone for good. */
export const pruneLoginAttemptsTask = defineTask("maintenance/prune-login-attempts", async (_payload, helpers) => {
  const removed = await pruneLoginAttempts(getDb());
  if (removed > 0) helpers.logger.info(`Pruned ${removed} old sign-in attempts`);
  const sessions = await pruneDeadSessions(getDb());
  if (sessions > 0) helpers.logger.info(`Pruned ${sessions} ended sessions`);
});
