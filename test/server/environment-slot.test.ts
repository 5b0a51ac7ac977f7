import { describe, expect, it } from "vitest";
import { latestEnvironmentSlot, nextEnvironmentSlots, nextWindow, previousEnvironmentSlots, shortestGapMs, slotOffsetMs } from "@/server/schedules/environment-slot";

const daily = { schedule: "0 1 * * *", timezone: "UTC", spreadMinutes: 240 };
const ids = Array.from({ length: 500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

describe("environment slots", () => {
  it("gives each environment a stable offset inside the window, spread across it", () => {
    const offsets = ids.map((id) => slotOffsetMs(id, 240));
    expect(offsets).toEqual(ids.map((id) => slotOffsetMs(id, 240)));
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(240 * 60_000);
    // Every half-hour of the four-hour window gets between a twelfth and a quarter of the 500 starts.
    const perHalfHour = new Array(8).fill(0);
    for (const o of offsets) perHalfHour[Math.floor(o / 1_800_000)]++;
    expect(Math.min(...perHalfHour)).toBeGreaterThan(40);
    expect(Math.max(...perHalfHour)).toBeLessThan(125);
    expect(new Set(offsets).size).toBeGreaterThan(450);
  });

  it("starts at the scheduled minute without a window", () => {
    expect(slotOffsetMs(ids[0]!, 0)).toBe(0);
    const slot = latestEnvironmentSlot({ ...daily, spreadMinutes: 0 }, ids[0]!, new Date("2026-12-07T01:00:00Z"));
    expect(slot?.toISOString()).toBe("2026-12-07T01:00:00.000Z");
  });

  it("counts this window's slot only once it has come", () => {
    const id = ids[7]!;
    const offset = slotOffsetMs(id, 240);
    const today = new Date(Date.parse("2026-12-07T01:00:00Z") + offset);
    const yesterday = new Date(today.getTime() - 86_400_000);
    expect(latestEnvironmentSlot(daily, id, new Date(today.getTime() - 1))?.toISOString()).toBe(yesterday.toISOString());
    expect(latestEnvironmentSlot(daily, id, today)?.toISOString()).toBe(today.toISOString());
    expect(previousEnvironmentSlots(daily, id, today, 2).map((d) => d.toISOString())).toEqual([today.toISOString(), yesterday.toISOString()]);
    expect(nextEnvironmentSlots(daily, id, new Date(today.getTime() - 1), 2).map((d) => d.toISOString())).toEqual([today.toISOString(), new Date(today.getTime() + 86_400_000).toISOString()]);
  });

  it("follows the policy's time zone", () => {
    const brussels = { schedule: "0 1 * * *", timezone: "Europe/Brussels", spreadMinutes: 0 };
    expect(latestEnvironmentSlot(brussels, ids[0]!, new Date("2026-12-07T12:00:00Z"))?.toISOString()).toBe("2026-12-07T00:00:00.000Z");
  });

  it("gives the window still open, else the next one", () => {
    const iso = (w: { start: Date; end: Date } | null) => w && [w.start.toISOString(), w.end.toISOString()];
    expect(iso(nextWindow(daily, new Date("2026-12-07T03:00:00Z")))).toEqual(["2026-12-07T01:00:00.000Z", "2026-12-07T05:00:00.000Z"]);
    expect(iso(nextWindow(daily, new Date("2026-12-07T05:00:00Z")))).toEqual(["2026-12-08T01:00:00.000Z", "2026-12-08T05:00:00.000Z"]);
    expect(iso(nextWindow({ ...daily, spreadMinutes: 0 }, new Date("2026-12-07T01:00:00Z")))).toEqual(["2026-12-08T01:00:00.000Z", "2026-12-08T01:00:00.000Z"]);
  });

  it("finds the shortest time between two runs, daylight saving and irregular days included", () => {
    const from = new Date("2026-12-07T00:00:00Z");
    const hours = (schedule: string, timezone = "UTC") => (shortestGapMs({ schedule, timezone }, from) ?? 0) / 3_600_000;
    expect(hours("0 1 * * *")).toBe(24);
    expect(hours("0 1 * * *", "Europe/Brussels")).toBe(23);
    expect(hours("0 1,3 * * 1-5")).toBe(2);
    expect(hours("*/15 * * * *")).toBe(0.25);
    expect(shortestGapMs({ schedule: "not cron", timezone: "UTC" }, from)).toBeNull();
  });

  it("has no slots for a schedule that cannot be read", () => {
    expect(latestEnvironmentSlot({ ...daily, schedule: "not cron" }, ids[0]!, new Date())).toBeNull();
    expect(nextEnvironmentSlots({ ...daily, schedule: "not cron" }, ids[0]!, new Date(), 3)).toEqual([]);
  });
});
