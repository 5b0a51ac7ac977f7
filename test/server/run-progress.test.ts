import { afterEach, describe, expect, it, vi } from "vitest";
import { RunProgress } from "@/server/jobs/run-progress";
import { estimateRun } from "@/shared/run-estimate";

afterEach(() => {
  vi.useRealTimers();
});

describe("a run's progress", () => {
  it("says when its first byte was read, so a restore's rate is not diluted by the safety backup taken before it", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-07T10:00:00Z"));
    const progress = new RunProgress(async () => true, () => {});
    expect(progress.snapshot()).not.toHaveProperty("readingSince");
    // Five minutes of safety backup, then the restore reads.
    vi.setSystemTime(new Date("2026-12-07T10:05:00Z"));
    progress.bytes += 1;
    expect(progress.snapshot().readingSince).toBe("2026-12-07T10:05:00.000Z");
    vi.setSystemTime(new Date("2026-12-07T10:05:30Z"));
    progress.bytes = 25_000_000;
    const snapshot = progress.snapshot();
    expect(snapshot.readingSince).toBe("2026-12-07T10:05:00.000Z");
    // A quarter read in 30 s: 90 s left, not the 15 minutes the run's start would give.
    expect(estimateRun({ bytes: snapshot.bytes, expectedBytes: 100_000_000, startedAt: snapshot.readingSince! }, Date.parse("2026-12-07T10:05:30Z"))).toEqual({ elapsedSeconds: 30, percent: 25, remainingSeconds: 90 });
  });
});
