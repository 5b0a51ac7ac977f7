"use client";

import { Clock } from "lucide-react";
import { useState } from "react";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { describeMinutes } from "@/shared/minutes";
import { WEEKDAYS, describeSchedule, parseSchedule, timeOfDay } from "./schedule-presets";

const MAX_MINUTES = 1440;

/** The time of day `minutes` after hour:minute, wrapping past midnight. */
function later(preset: { hour: number; minute: number }, minutes: number): string {
  const total = (preset.hour * 60 + preset.minute + minutes) % MAX_MINUTES;
  return timeOfDay({ hour: Math.floor(total / 60), minute: total % 60 });
}

/** "Daily between 01:00 and 05:00", "Hourly between minute 0 and minute 30"...; without a window, the schedule as it is described. */
export function describeStartWindow(schedule: string, spreadMinutes: number): string {
  if (spreadMinutes <= 0) return describeSchedule(schedule);
  const preset = parseSchedule(schedule);
  if (!preset) return `${describeSchedule(schedule)}, each run spread over ${describeMinutes(spreadMinutes)}`;
  if (preset.kind === "hourly") return spreadMinutes + preset.minute < 60 ? `Hourly between minute ${preset.minute} and minute ${preset.minute + spreadMinutes}` : `Hourly, spread over ${describeMinutes(spreadMinutes)} from minute ${preset.minute}`;
  const crosses = preset.hour * 60 + preset.minute + spreadMinutes >= MAX_MINUTES ? " the next day" : "";
  const between = `between ${timeOfDay(preset)} and ${later(preset, spreadMinutes)}${crosses}`;
  if (preset.kind === "daily") return `Daily ${between}`;
  if (preset.kind === "weekly") return `Weekly on ${WEEKDAYS[preset.weekday]} ${between}`;
  return `Monthly on day ${preset.day} ${between}`;
}

/** A start window as a policy value: the window, or "at the scheduled time". */
export function StartWindowValue({ schedule, spreadMinutes }: { schedule: string; spreadMinutes: number }) {
  if (spreadMinutes <= 0) return <>At the scheduled time</>;
  return (
    <span>
      Spread over {describeMinutes(spreadMinutes)} <span className="text-slate-500">· {describeStartWindow(schedule, spreadMinutes)}</span>
    </span>
  );
}

/** When this environment starts within its window: the time of day of its next run, in the policy's time zone. */
export function EnvironmentStart({ nextRun, timezone, schedule, spreadMinutes }: { nextRun: string | undefined; timezone: string; schedule: string; spreadMinutes: number }) {
  if (spreadMinutes <= 0 || !nextRun) return null;
  let at: string;
  try {
    at = new Date(nextRun).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: timezone });
  } catch {
    at = new Date(nextRun).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
  }
  return (
    <p className="flex items-center gap-1.5 text-sm text-slate-700" role="status" aria-label="This environment's start">
      <Clock className="size-4 text-slate-400" aria-hidden />
      <span>
        This environment starts at <strong className="tabular-nums">{at}</strong> ({timezone}) within its window: {describeStartWindow(schedule, spreadMinutes).toLowerCase()}.
      </span>
    </p>
  );
}

/**
 * The start window of a schedule: every environment at the scheduled time, or each at its own stable moment within
 * a window after it (so a policy shared by many environments does not start them all in one minute).
 */
export function StartWindowEditor({ idPrefix, schedule, value, onChange, disabled, error }: { idPrefix: string; schedule: string; value: number; onChange: (spreadMinutes: number) => void; disabled?: boolean; error?: string }) {
  const [unit, setUnit] = useState<"hours" | "minutes">(value > 0 && value % 60 !== 0 ? "minutes" : "hours");
  const perUnit = unit === "hours" ? 60 : 1;
  const amount = value > 0 ? value / perUnit : 0;

  function setAmount(raw: string) {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) return onChange(perUnit);
    onChange(Math.min(MAX_MINUTES, Math.max(1, Math.round(n * perUnit))));
  }

  return (
    <div className="space-y-3">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Start window" htmlFor={`${idPrefix}-mode`} error={error}>
          <Select id={`${idPrefix}-mode`} value={value > 0 ? "spread" : "at"} disabled={disabled} invalid={Boolean(error)} onChange={(e) => onChange(e.target.value === "spread" ? 4 * 60 : 0)}>
            <option value="at">At the scheduled time</option>
            <option value="spread">Spread over…</option>
          </Select>
        </Field>
        {value > 0 && (
          <>
            <Field label={unit === "hours" ? "Hours" : "Minutes"} htmlFor={`${idPrefix}-amount`}>
              <Input id={`${idPrefix}-amount`} type="number" min={unit === "hours" ? 0.5 : 1} max={MAX_MINUTES / perUnit} step={unit === "hours" ? 0.5 : 1} value={amount} disabled={disabled} invalid={Boolean(error)} onChange={(e) => setAmount(e.target.value)} />
            </Field>
            <Field label="Unit" htmlFor={`${idPrefix}-unit`}>
              <Select id={`${idPrefix}-unit`} value={unit} disabled={disabled} onChange={(e) => setUnit(e.target.value as "hours" | "minutes")}>
                <option value="hours">hours</option>
                <option value="minutes">minutes</option>
              </Select>
            </Field>
          </>
        )}
      </div>
      <p className="text-sm text-slate-600" aria-label="Start window summary">
        {value > 0 ? (
          <>
            <strong className="font-medium text-slate-900">{describeStartWindow(schedule, value)}</strong>: each environment starts at its own moment in the window, the same every time, so
            many environments do not start in the same minute.
          </>
        ) : (
          <>Every environment on this schedule starts at the scheduled minute.</>
        )}
      </p>
    </div>
  );
}
