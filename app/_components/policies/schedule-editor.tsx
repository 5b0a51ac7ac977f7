"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { CalendarClock } from "lucide-react";
import { useState } from "react";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { PRESET_LABEL, WEEKDAYS, parseSchedule, presetOfKind, timeOfDay, toCron, type PresetKind, type SchedulePreset } from "./schedule-presets";
import { TimezoneInput } from "./timezone-input";
import { useDebouncedValue } from "./use-debounced-value";

const KINDS: PresetKind[] = ["hourly", "daily", "weekly", "monthly", "custom"];
const MINUTES = Array.from({ length: 60 }, (_, i) => i);
const DAYS_OF_MONTH = Array.from({ length: 31 }, (_, i) => i + 1);

/** A run as the operator reads it, in the schedule's time zone (UTC while the zone typed is not a valid one). */
function formatRun(iso: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString(undefined, { ...options, timeZone });
  } catch {
    return new Date(iso).toLocaleString(undefined, { ...options, timeZone: "UTC" });
  }
}

/** The server's check of a schedule as it is typed (debounced): its next runs, or what is wrong with it. */
export function useScheduleCheck(schedule: string, timezone: string) {
  const trpc = useTRPC();
  const checked = { schedule: useDebouncedValue(schedule.trim()), timezone: useDebouncedValue(timezone.trim()) };
  const check = useQuery(
    trpc.backupPolicies.checkSchedule.queryOptions(checked, { enabled: Boolean(checked.schedule && checked.timezone), retry: false, placeholderData: keepPreviousData }),
  );
  return { runs: check.data?.nextRuns, failure: errorInfo(check.error), pending: check.isFetching, timezone: checked.timezone };
}

/**
 * A schedule: a preset (hourly, daily, weekly, monthly) that writes the cron expression, or a cron typed by hand
 * (shown as its preset when it is one). Without `onTimezoneChange` the time zone is shown, not edited.
 * Below, the next runs in that time zone, or what is wrong with the schedule, as the server checks it.
 */
export function ScheduleEditor({
  idPrefix,
  schedule,
  timezone,
  onScheduleChange,
  onTimezoneChange,
  disabled,
}: {
  idPrefix: string;
  schedule: string;
  timezone: string;
  onScheduleChange: (cron: string) => void;
  onTimezoneChange?: (timezone: string) => void;
  disabled?: boolean;
}) {
  const preset = parseSchedule(schedule);
  // "Custom" chosen for a cron that is a preset: keep showing the cron field until it is typed in.
  const [customChosen, setCustomChosen] = useState(preset === null);
  const kind: PresetKind = customChosen || !preset ? "custom" : preset.kind;
  const { runs, failure, pending, timezone: checkedTimezone } = useScheduleCheck(schedule, timezone);
  // A time zone problem is shown at the time zone when it is edited here, otherwise with the schedule.
  const zoneProblem = Boolean(onTimezoneChange && failure?.fields.timezone);
  const scheduleError = !schedule.trim() ? "Enter a cron expression, or choose a preset" : zoneProblem ? undefined : failure?.message;
  const timezoneError = !timezone.trim() ? "Enter a time zone" : zoneProblem ? failure?.message : undefined;

  function choose(next: PresetKind) {
    if (next === "custom") return setCustomChosen(true);
    setCustomChosen(false);
    onScheduleChange(toCron(presetOfKind(next, preset)));
  }

  function update(next: SchedulePreset) {
    onScheduleChange(toCron(next));
  }

  function setTime(value: string) {
    const match = /^(\d{2}):(\d{2})$/.exec(value);
    if (match && preset && "hour" in preset) update({ ...preset, hour: Number(match[1]), minute: Number(match[2]) });
  }

  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Frequency" htmlFor={`${idPrefix}-preset`}>
          <Select id={`${idPrefix}-preset`} value={kind} disabled={disabled} onChange={(e) => choose(e.target.value as PresetKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {PRESET_LABEL[k]}
              </option>
            ))}
          </Select>
        </Field>
        {kind === "hourly" && preset?.kind === "hourly" && (
          <Field label="Minute past the hour" htmlFor={`${idPrefix}-minute`}>
            <Select id={`${idPrefix}-minute`} value={preset.minute} disabled={disabled} onChange={(e) => update({ ...preset, minute: Number(e.target.value) })}>
              {MINUTES.map((m) => (
                <option key={m} value={m}>
                  :{String(m).padStart(2, "0")}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {kind === "weekly" && preset?.kind === "weekly" && (
          <Field label="Day" htmlFor={`${idPrefix}-weekday`}>
            <Select id={`${idPrefix}-weekday`} value={preset.weekday} disabled={disabled} onChange={(e) => update({ ...preset, weekday: Number(e.target.value) })}>
              {/* Monday first, as agencies plan their week. */}
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <option key={d} value={d}>
                  {WEEKDAYS[d]}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {kind === "monthly" && preset?.kind === "monthly" && (
          <Field label="Day of the month" htmlFor={`${idPrefix}-day`} hint={preset.day > 28 ? "Months without this day are skipped" : undefined}>
            <Select id={`${idPrefix}-day`} value={preset.day} disabled={disabled} onChange={(e) => update({ ...preset, day: Number(e.target.value) })}>
              {DAYS_OF_MONTH.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {kind !== "custom" && kind !== "hourly" && preset && "hour" in preset && (
          <Field label="Time" htmlFor={`${idPrefix}-time`}>
            <Input id={`${idPrefix}-time`} type="time" value={timeOfDay(preset)} disabled={disabled} required onChange={(e) => setTime(e.target.value)} />
          </Field>
        )}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Cron expression" htmlFor={`${idPrefix}-cron`} hint="minute, hour, day of month, month, day of week; e.g. 30 3 * * 1-5" error={scheduleError}>
          <Input
            id={`${idPrefix}-cron`}
            className="font-mono"
            value={schedule}
            disabled={disabled}
            invalid={Boolean(scheduleError)}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setCustomChosen(parseSchedule(e.target.value) === null);
              onScheduleChange(e.target.value);
            }}
          />
        </Field>
        {onTimezoneChange && (
          <Field label="Time zone" htmlFor={`${idPrefix}-timezone`} hint="Times above are in this zone; start typing to search" error={timezoneError}>
            <TimezoneInput id={`${idPrefix}-timezone`} value={timezone} onChange={onTimezoneChange} disabled={disabled} invalid={Boolean(timezoneError)} />
          </Field>
        )}
      </div>
      <NextRuns runs={scheduleError || timezoneError ? undefined : runs} timezone={checkedTimezone} pending={pending} />
    </div>
  );
}

/** A time zone for a given schedule, with that schedule's next runs in it. */
export function TimezoneEditor({ id, schedule, timezone, onChange, disabled }: { id: string; schedule: string; timezone: string; onChange: (timezone: string) => void; disabled?: boolean }) {
  const { runs, failure, pending, timezone: checkedTimezone } = useScheduleCheck(schedule, timezone);
  const error = !timezone.trim() ? "Enter a time zone" : failure?.message;
  return (
    <div className="space-y-4">
      <Field label="Time zone" htmlFor={id} hint="The schedule's times are in this zone; start typing to search" error={error}>
        <TimezoneInput id={id} value={timezone} onChange={onChange} disabled={disabled} invalid={Boolean(error)} />
      </Field>
      <NextRuns runs={error ? undefined : runs} timezone={checkedTimezone} pending={pending} />
    </div>
  );
}

/** The next runs of a schedule, in its time zone. */
export function NextRuns({ runs, timezone, pending }: { runs: string[] | undefined; timezone: string; pending?: boolean }) {
  return (
    <section aria-label="Next runs" className={`rounded-md bg-slate-50 px-4 py-3 ring-1 ring-slate-200 ring-inset transition-opacity ${pending ? "opacity-60" : ""}`}>
      <h3 className="flex items-center gap-1.5 text-xs font-semibold tracking-wide text-slate-500 uppercase">
        <CalendarClock className="size-3.5" aria-hidden /> Next runs <span className="font-normal tracking-normal normal-case">· {timezone || "—"}</span>
      </h3>
      {runs && runs.length > 0 ? (
        <ol className="mt-2 grid gap-x-10 gap-y-1 text-sm text-slate-700 tabular-nums sm:grid-flow-col sm:grid-rows-3 sm:justify-start">
          {runs.map((run) => (
            <li key={run}>{formatRun(run, timezone)}</li>
          ))}
        </ol>
      ) : (
        <p className="mt-2 text-sm text-slate-500">{pending ? "Checking the schedule…" : "No runs to show until the schedule is valid."}</p>
      )}
    </section>
  );
}
