import { Cron } from "croner";
import { ValidationError } from "@/server/errors";
import { shortestGapMs } from "@/server/schedules/environment-slot";
import { describeMinutes } from "@/shared/minutes";
import type { Policy } from "./policy-fields";

/** Checks a cron expression and an IANA time zone, with a message an operator can act on; returns the next runs. */
export function checkSchedule(schedule: string, timezone: string, count = 3): Date[] {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new ValidationError(`"${timezone}" is not a time zone; use an IANA name such as Europe/Brussels or UTC`, { timezone: "Unknown time zone" });
  }
  let runs: Date[];
  try {
    runs = new Cron(schedule, { timezone, paused: true }).nextRuns(count);
  } catch (err) {
    const reason = (err as Error).message.replace(/^CronPattern: /, "");
    throw new ValidationError(`"${schedule}" is not a valid cron schedule (${reason}); e.g. "0 2 * * *" runs daily at 02:00`, { schedule: "Invalid cron schedule" });
  }
  // A date that never comes (e.g. 31 February) is valid cron, but no backup would ever run.
  if (runs.length === 0) throw new ValidationError(`"${schedule}" never runs (no such date); e.g. "0 2 * * *" runs daily at 02:00`, { schedule: "This schedule never runs" });
  return runs;
}

/**
 * Checks a start window against its schedule: it must be shorter than the shortest time between two runs, or one
 * run's window would reach into the next and an environment could start twice in a row. Call after `checkSchedule`.
 */
export function checkStartWindow(policy: Pick<Policy, "schedule" | "timezone" | "spreadMinutes">, now: Date = new Date()): void {
  if (policy.spreadMinutes <= 0) return;
  const gap = shortestGapMs(policy, now);
  if (gap === null || policy.spreadMinutes * 60_000 < gap) return;
  const between = describeMinutes(Math.round(gap / 60_000));
  throw new ValidationError(`A start window of ${describeMinutes(policy.spreadMinutes)} is not shorter than the ${between} between two runs of "${policy.schedule}": windows would overlap; choose a shorter window`, {
    spreadMinutes: `Must be shorter than ${between}, the shortest time between two runs`,
  });
}
