import { describe, expect, it } from "vitest";
import { fitColumns } from "@/app/_components/ui/fit-columns";
import { humanizeMessage } from "@/app/_lib/format-message";
import { estimateRun, formatSeconds } from "@/shared/run-estimate";

const COLUMNS = [
  { id: "created", priority: 1, width: 200 },
  { id: "status", priority: 1, width: 236 },
  { id: "environment", priority: 2, width: 180 },
  { id: "size", priority: 3, width: 96 },
  { id: "kept", priority: 4, width: 176 },
  { id: "duration", priority: 6, width: 112 },
  { id: "type", priority: 5, width: 112 },
];
const ACTIONS = { menu: 52, inline: 104 };
const visible = (width: number) => [...fitColumns(COLUMNS, width, ACTIONS).visible].sort();

describe("which columns a table shows at a width", () => {
  it("shows everything with room, and drops the least important first as it narrows", () => {
    expect(visible(1600)).toEqual(["created", "duration", "environment", "kept", "size", "status", "type"]);
    expect(visible(1000)).toEqual(["created", "environment", "size", "status"]);
    expect(visible(800)).toEqual(["created", "environment", "status"]);
  });

  it("never lets a narrow, less important column take the place of a wider, more important one", () => {
    // 592 used by the required columns and actions: the environment (180) does not fit; the size (96) would, but waits its turn.
    expect(visible(700)).toEqual(["created", "status"]);
  });

  it("keeps the inline action only where it fits, the menu always, and stacks rows on a phone", () => {
    expect(fitColumns(COLUMNS, 1000, ACTIONS)).toMatchObject({ stacked: false, inlineAction: true });
    expect(fitColumns(COLUMNS, 650, { menu: 52, inline: 200 })).toMatchObject({ stacked: false, inlineAction: false });
    expect(fitColumns(COLUMNS, 639, ACTIONS).stacked).toBe(true);
    expect(fitColumns(COLUMNS, 390, ACTIONS).stacked).toBe(true);
    // Even the required columns would not fit: stacked rather than cut.
    expect(fitColumns([{ id: "a", priority: 1, width: 700 }], 720, ACTIONS).stacked).toBe(true);
  });
});

describe("a running backup's estimate", () => {
  const startedAt = new Date(1_000_000).toISOString();
  it("gives percent and time left from last time's size", () => {
    expect(estimateRun({ bytes: 50, expectedBytes: 200, startedAt }, 1_000_000 + 30_000)).toEqual({ elapsedSeconds: 30, percent: 25, remainingSeconds: 90 });
  });
  it("stops at 99 % and promises no time once past the expected size, and says nothing without one", () => {
    expect(estimateRun({ bytes: 250, expectedBytes: 200, startedAt }, 1_000_000 + 30_000)).toEqual({ elapsedSeconds: 30, percent: 99, remainingSeconds: null });
    expect(estimateRun({ bytes: 250, expectedBytes: null, startedAt }, 1_000_000 + 30_000)).toEqual({ elapsedSeconds: 30, percent: null, remainingSeconds: null });
    expect(estimateRun({ bytes: 1, expectedBytes: 200, startedAt }, 1_000_000 + 1_000).remainingSeconds).toBeNull();
  });
  it("formats durations with fixed-width parts", () => {
    expect([formatSeconds(42), formatSeconds(185), formatSeconds(4020)]).toEqual(["42 s", "3 min 05 s", "1 h 07 min"]);
  });
});

describe("messages as people read them", () => {
  it("shows byte counts as sizes and leaves other numbers alone", () => {
    expect(humanizeMessage("2 files, 170123456 bytes stored and verified")).toBe("2 files, 162.2 MB stored and verified");
    expect(humanizeMessage("Kept 12 months, 300 bytes")).toBe("Kept 12 months, 300 bytes");
  });
  it("shows ISO instants as local times", () => {
    expect(humanizeMessage("manual backup of 2026-12-07T10:02:03.000Z")).not.toContain("T10:02:03");
  });
});
