import { Cron } from "croner";

/**
 * The latest slot of a schedule at or before `now`, in its time zone; null when the schedule has none
 * (or is invalid: policies are checked when saved, so that only happens to a hand-edited row).
 * Memoised per (cron, time zone) by the caller's cache, since most environments share the org default.
 */
export function latestSlot(schedule: string, timezone: string, now: Date, cache?: Map<string, Date | null>): Date | null {
  const key = `${schedule}\u0000${timezone}`;
  if (cache?.has(key)) return cache.get(key)!;
  let slot: Date | null = null;
  try {
    // previousRuns returns runs strictly before its reference, so a slot exactly at `now` counts.
    slot = new Cron(schedule, { timezone, paused: true }).previousRuns(1, new Date(now.getTime() + 1))[0] ?? null;
  } catch {
    slot = null;
  }
  cache?.set(key, slot);
  return slot;
}
