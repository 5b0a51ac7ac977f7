import { createHash } from "node:crypto";
import { Cron } from "croner";

/** What places an environment's runs: its policy's cron schedule, time zone and start window. */
export type SlotSchedule = { schedule: string; timezone: string; spreadMinutes: number };

/** Window starts per (cron, time zone, reference time), shared by the environments of one tick. */
export type WindowCache = Map<string, Date[]>;

/**
 * An environment's stable offset inside its policy's window, in whole seconds: derived from its id, so every tick,
 * worker and page agrees on it, and a default policy over hundreds of environments spreads them evenly.
 */
export function slotOffsetMs(environmentId: string, spreadMinutes: number): number {
  if (spreadMinutes <= 0) return 0;
  const hash = createHash("sha256").update(environmentId).digest().readUInt32BE(0);
  return (hash % (spreadMinutes * 60)) * 1000;
}

function cron(schedule: SlotSchedule): Cron | null {
  try {
    return new Cron(schedule.schedule, { timezone: schedule.timezone, paused: true });
  } catch {
    // Policies are checked when saved: only a hand-edited row gets here, and it has no slots.
    return null;
  }
}

/** The `count` latest window starts at or before `now`, latest first. */
function previousWindowStarts(schedule: SlotSchedule, now: Date, count: number, cache?: WindowCache): Date[] {
  const key = `${schedule.schedule}\u0000${schedule.timezone}\u0000${count}\u0000${now.getTime()}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  // previousRuns returns runs strictly before its reference, so a start exactly at `now` counts.
  const starts = cron(schedule)?.previousRuns(count, new Date(now.getTime() + 1)) ?? [];
  cache?.set(key, starts);
  return starts;
}

/**
 * The environment's `count` latest slots at or before `now`, latest first. A slot is its window's start plus the
 * environment's offset; the window whose slot is still ahead of `now` does not count yet.
 */
export function previousEnvironmentSlots(schedule: SlotSchedule, environmentId: string, now: Date, count: number, cache?: WindowCache): Date[] {
  const offset = slotOffsetMs(environmentId, schedule.spreadMinutes);
  return previousWindowStarts(schedule, now, count + 1, cache)
    .map((start) => new Date(start.getTime() + offset))
    .filter((slot) => slot <= now)
    .slice(0, count);
}

/** The environment's latest slot at or before `now`; null when its schedule has none. */
export function latestEnvironmentSlot(schedule: SlotSchedule, environmentId: string, now: Date, cache?: WindowCache): Date | null {
  return previousEnvironmentSlots(schedule, environmentId, now, 1, cache)[0] ?? null;
}

/** The environment's next `count` slots after `now`, soonest first (the current window's, if its slot is still ahead). */
export function nextEnvironmentSlots(schedule: SlotSchedule, environmentId: string, now: Date, count: number): Date[] {
  const offset = slotOffsetMs(environmentId, schedule.spreadMinutes);
  const c = cron(schedule);
  if (!c) return [];
  const current = c.previousRuns(1, new Date(now.getTime() + 1));
  return [...current, ...c.nextRuns(count, now)]
    .map((start) => new Date(start.getTime() + offset))
    .filter((slot) => slot > now)
    .slice(0, count);
}
