/** The schedule presets of the editors, and the cron expression each one writes (minute hour day-of-month month day-of-week). */
export type SchedulePreset =
  | { kind: "hourly"; minute: number }
  | { kind: "daily"; hour: number; minute: number }
  | { kind: "weekly"; weekday: number; hour: number; minute: number }
  | { kind: "monthly"; day: number; hour: number; minute: number };

export type PresetKind = SchedulePreset["kind"] | "custom";

export const PRESET_LABEL: Record<PresetKind, string> = { hourly: "Hourly", daily: "Daily", weekly: "Weekly", monthly: "Monthly", custom: "Custom (cron)" };

export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** A plain number within [min, max], as a cron field holds it (e.g. "30", "03"). */
function number(field: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(field)) return null;
  const n = Number(field);
  return n >= min && n <= max ? n : null;
}

/** The preset a cron expression is, or null for anything else (ranges, steps, lists, names...). */
export function parseSchedule(cron: string): SchedulePreset | null {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [m, h, dom, month, dow] = parts as [string, string, string, string, string];
  const minute = number(m, 0, 59);
  if (minute === null || month !== "*") return null;
  if (h === "*") return dom === "*" && dow === "*" ? { kind: "hourly", minute } : null;
  const hour = number(h, 0, 23);
  if (hour === null) return null;
  if (dom === "*" && dow === "*") return { kind: "daily", hour, minute };
  if (dom === "*") {
    const weekday = number(dow, 0, 7);
    return weekday === null ? null : { kind: "weekly", weekday: weekday % 7, hour, minute };
  }
  const day = dow === "*" ? number(dom, 1, 31) : null;
  return day === null ? null : { kind: "monthly", day, hour, minute };
}

export function toCron(preset: SchedulePreset): string {
  switch (preset.kind) {
    case "hourly":
      return `${preset.minute} * * * *`;
    case "daily":
      return `${preset.minute} ${preset.hour} * * *`;
    case "weekly":
      return `${preset.minute} ${preset.hour} * * ${preset.weekday}`;
    case "monthly":
      return `${preset.minute} ${preset.hour} ${preset.day} * *`;
  }
}

/** The preset of this kind that keeps what it can of another one (its time, its day). */
export function presetOfKind(kind: SchedulePreset["kind"], from: SchedulePreset | null): SchedulePreset {
  const minute = from?.minute ?? 0;
  const hour = from && "hour" in from ? from.hour : 2;
  if (kind === "hourly") return { kind, minute };
  if (kind === "daily") return { kind, hour, minute };
  if (kind === "weekly") return { kind, weekday: from?.kind === "weekly" ? from.weekday : 1, hour, minute };
  return { kind, day: from?.kind === "monthly" ? from.day : 1, hour, minute };
}

export function timeOfDay(preset: { hour: number; minute: number }): string {
  return `${String(preset.hour).padStart(2, "0")}:${String(preset.minute).padStart(2, "0")}`;
}

/** "Daily at 03:30", "Weekly on Monday at 03:30"...; a custom cron as itself. */
export function describeSchedule(cron: string): string {
  const preset = parseSchedule(cron);
  if (!preset) return `Cron ${cron.trim()}`;
  switch (preset.kind) {
    case "hourly":
      return `Hourly at minute ${preset.minute}`;
    case "daily":
      return `Daily at ${timeOfDay(preset)}`;
    case "weekly":
      return `Weekly on ${WEEKDAYS[preset.weekday]} at ${timeOfDay(preset)}`;
    case "monthly":
      return `Monthly on day ${preset.day} at ${timeOfDay(preset)}`;
  }
}
