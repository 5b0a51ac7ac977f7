import { createHash } from "node:crypto";
import { Cron } from "croner";

/** What places an environment's runs: its policy's cron schedule, time zone and start window. */
export type SlotSchedule = { schedule: string; timezone: string; spreadMinutes: number };

/**
 * Window starts per (cron, time zone, how many), with the reference time they were computed for: shared by the
 * environments of one tick or page. The time is kept beside the key, not in it: the key is built once per
 * environment, and a shorter one keeps that cheap at thousands of environments.
 */
export type WindowCache = Map<string, { at: number; starts: Date[] }>;

function remembered(cache: WindowCache | undefined, key: string, now: Date, compute: () => Date[]): Date[] {
  const hit = cache?.get(key);
  if (hit && hit.at === now.getTime()) return hit.starts;
  const starts = compute();
  cache?.set(key, { at: now.getTime(), starts });
  return starts;
}

/**
 * An environment's stable offset inside its policy's window, in whole seconds: derived from its id, so every tick,
 * worker and page agrees on it, and a default policy over hundreds of environments spreads them evenly.
 */
export function slotOffsetMs(environmentId: string, spreadMinutes: number): number {
  if (spreadMinutes <= 0) return 0;
  return (idHash(environmentId) % (spreadMinutes * 60)) * 1000;
}

const hashes = new Map<string, number>();
const HASHES_KEPT = 200_000;

/** The id's hash, remembered: the tick and the dashboard ask for every environment's, and sha256 is the costly part. */
function idHash(environmentId: string): number {
  let hash = hashes.get(environmentId);
  if (hash === undefined) {
    hash = createHash("sha256").update(environmentId).digest().readUInt32BE(0);
    if (hashes.size >= HASHES_KEPT) hashes.clear();
    hashes.set(environmentId, hash);
  }
  return hash;
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
  // previousRuns returns runs strictly before its reference, so a start exactly at `now` counts.
  return remembered(cache, `${schedule.schedule}\u0000${schedule.timezone}\u0000${count}`, now, () => cron(schedule)?.previousRuns(count, new Date(now.getTime() + 1)) ?? []);
}

/**
 * The environment's `count` latest slots at or before `now`, latest first. A slot is its window's start plus the
 * environment's offset; the window whose slot is still ahead of `now` does not count yet.
 */
export function previousEnvironmentSlots(schedule: SlotSchedule, environmentId: string, now: Date, count: number, cache?: WindowCache): Date[] {
  const offset = slotOffsetMs(environmentId, schedule.spreadMinutes);
  // A plain loop: the tick and the dashboard run this for every environment.
  const slots: Date[] = [];
  for (const start of previousWindowStarts(schedule, now, count + 1, cache)) {
    const slot = start.getTime() + offset;
    if (slot <= now.getTime() && slots.length < count) slots.push(new Date(slot));
  }
  return slots;
}

/**
 * The longer of the environment's current period (its latest slot at or before `now` to its next one) and the period
 * before it; null when it has neither. Both count so that a schedule with uneven gaps (weekdays only, office hours)
 * measures the long gap over the weekend and still allows the first run after it its own gap while it runs. Plain
 * arithmetic on the cached window starts, since compliance asks it for every environment on each view.
 */
export function slotPeriodMs(schedule: SlotSchedule, environmentId: string, now: Date, cache?: WindowCache): number | null {
  const offset = slotOffsetMs(environmentId, schedule.spreadMinutes);
  const next = windowStartsAround(schedule, now, 1, cache)[1];
  // Latest first: the next window start, then the three latest at or before `now`.
  const starts = [...(next ? [next] : []), ...previousWindowStarts(schedule, now, 3, cache)];
  // The current window is the latest whose slot for this environment has come.
  const current = starts.findIndex((start) => start.getTime() + offset <= now.getTime());
  const periodEndingAt = (i: number) => (i >= 0 && starts[i + 1] ? starts[i]!.getTime() - starts[i + 1]!.getTime() : null);
  const periods = [periodEndingAt(current - 1), periodEndingAt(current)].filter((p): p is number => p !== null);
  return current < 0 || periods.length === 0 ? null : Math.max(...periods);
}

/** The environment's latest slot at or before `now`; null when its schedule has none. */
export function latestEnvironmentSlot(schedule: SlotSchedule, environmentId: string, now: Date, cache?: WindowCache): Date | null {
  return previousEnvironmentSlots(schedule, environmentId, now, 1, cache)[0] ?? null;
}

/** The `count` next window starts after `now`, preceded by the latest one at or before it (whose slots may still be ahead). */
export function windowStartsAround(schedule: SlotSchedule, now: Date, count: number, cache?: WindowCache): Date[] {
  return remembered(cache, `next\u0000${schedule.schedule}\u0000${schedule.timezone}\u0000${count}`, now, () => {
    const c = cron(schedule);
    return c ? [...c.previousRuns(1, new Date(now.getTime() + 1)), ...c.nextRuns(count, now)] : [];
  });
}

/** The environment's next `count` slots after `now`, soonest first (the current window's, if its slot is still ahead). */
export function nextEnvironmentSlots(schedule: SlotSchedule, environmentId: string, now: Date, count: number, cache?: WindowCache): Date[] {
  const offset = slotOffsetMs(environmentId, schedule.spreadMinutes);
  return windowStartsAround(schedule, now, count, cache)
    .map((start) => new Date(start.getTime() + offset))
    .filter((slot) => slot > now)
    .slice(0, count);
}

/** The next window of a schedule that has not ended at `now` (the current one, while its slots are still coming): its start and end. */
export function nextWindow(schedule: SlotSchedule, now: Date, cache?: WindowCache): { start: Date; end: Date } | null {
  const length = schedule.spreadMinutes * 60_000;
  const start = windowStartsAround(schedule, now, 1, cache).find((s) => s.getTime() + length > now.getTime());
  return start ? { start, end: new Date(start.getTime() + length) } : null;
}

const gaps = new Map<string, number | null>();
const GAPS_KEPT = 256;

/**
 * The shortest time between two consecutive runs of a schedule over its next `runs` runs (in its time zone, so a
 * daylight-saving day of a daily schedule counts), null when it runs fewer than twice or cannot be read.
 * Remembered per (cron, time zone): a pattern's gaps do not depend on the day asked, and croner takes ~0.25 ms a run.
 */
export function shortestGapMs(schedule: Pick<SlotSchedule, "schedule" | "timezone">, from: Date, runs = 400): number | null {
  const key = `${schedule.schedule}\u0000${schedule.timezone}\u0000${runs}`;
  if (gaps.has(key)) return gaps.get(key)!;
  const starts = cron({ ...schedule, spreadMinutes: 0 })?.nextRuns(runs, from) ?? [];
  let shortest: number | null = null;
  for (let i = 1; i < starts.length; i++) {
    const gap = starts[i]!.getTime() - starts[i - 1]!.getTime();
    if (shortest === null || gap < shortest) shortest = gap;
  }
  if (gaps.size >= GAPS_KEPT) gaps.clear();
  gaps.set(key, shortest);
  return shortest;
}
