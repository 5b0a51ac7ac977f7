/** A policy's retries of a transiently failed scheduled backup: `attempts` in all, the last within `withinMinutes`. */
export type RetrySettings = { attempts: number; withinMinutes: number };

/**
 * How long to wait after failed attempt `attempt` (1-based) before the next, so that the attempts spread over
 * `withinMinutes` with doubling gaps: 3 attempts within 120 minutes wait 40, then 80 minutes.
 */
export function retryDelayMs(attempt: number, retries: RetrySettings): number {
  const gaps = retries.attempts - 1;
  if (attempt < 1 || attempt > gaps) throw new RangeError(`Attempt ${attempt} has no retry after it (${retries.attempts} attempts in all)`);
  return Math.round((retries.withinMinutes * 60_000 * 2 ** (attempt - 1)) / (2 ** gaps - 1));
}

/** Every wait of the schedule, in order (none for a single attempt). */
export function retryDelaysMs(retries: RetrySettings): number[] {
  return Array.from({ length: Math.max(0, retries.attempts - 1) }, (_, i) => retryDelayMs(i + 1, retries));
}
