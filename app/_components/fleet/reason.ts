import { formatRelative, formatUntil } from "@/app/_lib/format";
import type { EnvironmentHealth } from "./types";

/** What to say about an environment beside its status, in one line; null when nothing needs saying. */
export function environmentReason(env: EnvironmentHealth): string | null {
  switch (env.status) {
    case "failing":
      return env.lastFailure?.message ?? (env.reason === "storage_error" ? "The last backup failed in storage" : "The last backup failed");
    case "overdue":
      return `Last successful backup ${formatRelative(env.lastSuccessAt)}`;
    case "never_ran":
      return env.activeBackup ? "Its first backup is under way" : "Its scheduled backup has not run yet";
    case "first_run_scheduled":
      return env.nextRunAt ? `First backup scheduled ${formatUntil(env.nextRunAt)}` : "First backup not scheduled";
    case "disabled":
      return "Backups are turned off in its policy";
    case "ok":
      return null;
  }
}
