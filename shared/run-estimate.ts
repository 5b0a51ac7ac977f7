/** Where a running backup stands: percent done and time left, when its expected size is known. */
export type RunEstimate = { elapsedSeconds: number; percent: number | null; remainingSeconds: number | null };

/** An estimate needs a few seconds of reading to say anything about the rate. */
const MIN_SECONDS_FOR_RATE = 3;

/**
 * From the bytes read so far, the bytes expected and the start time. The percentage stops at 99 until the run
 * ends (the expected size is last time's; this time may be larger), and no time is promised once it is past it.
 */
export function estimateRun(run: { bytes: number; expectedBytes: number | null; startedAt: string | null }, now = Date.now()): RunEstimate {
  const elapsedSeconds = run.startedAt ? Math.max(0, Math.round((now - new Date(run.startedAt).getTime()) / 1000)) : 0;
  if (!run.expectedBytes || run.expectedBytes <= 0) return { elapsedSeconds, percent: null, remainingSeconds: null };
  const fraction = run.bytes / run.expectedBytes;
  const percent = Math.min(99, Math.floor(fraction * 100));
  const remainingSeconds = fraction > 0 && fraction < 1 && elapsedSeconds >= MIN_SECONDS_FOR_RATE ? Math.round((elapsedSeconds * (1 - fraction)) / fraction) : null;
  return { elapsedSeconds, percent, remainingSeconds };
}

/** "42 s", "3 min 05 s", "1 h 07 min": fixed-width pieces so a ticking value does not shift its neighbours. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
