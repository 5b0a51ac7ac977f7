"use client";

import { Field, Input } from "@/app/_components/ui/field";
import type { Policy } from "@/server/policies/policy-fields";
import { retryDelaysMs } from "@/shared/retry-schedule";

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 120 && m % 60 === 0 ? `${m / 60} h` : `${Math.max(1, m)} min`;
}

/** The retries as one line: "3 attempts: retried after 40 min, then 80 min", or "Not retried". */
export function describeRetries(retries: Policy["retries"]): string {
  if (retries.attempts <= 1) return "Not retried";
  return `${retries.attempts} attempts: retried after ${retryDelaysMs(retries).map(minutes).join(", then ")}`;
}

const whole = (text: string, min: number, max: number) => Math.min(max, Math.max(min, Math.trunc(Number(text) || min)));

/** How often, and over how long, a scheduled backup that failed for a transient reason is tried again. */
export function RetriesEditor({ idPrefix, value, onChange, disabled, errors = {} }: { idPrefix: string; value: Policy["retries"]; onChange: (value: Policy["retries"]) => void; disabled?: boolean; errors?: Record<string, string> }) {
  return (
    <div className="space-y-2">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Attempts" htmlFor={`${idPrefix}-attempts`} hint="In all, the first included; 1: never retried" error={errors["retries.attempts"]}>
          <Input id={`${idPrefix}-attempts`} type="number" min={1} max={10} value={value.attempts} disabled={disabled} onChange={(e) => onChange({ ...value, attempts: whole(e.target.value, 1, 10) })} />
        </Field>
        <Field label="Within (minutes)" htmlFor={`${idPrefix}-within`} hint="The last attempt starts this long after the first failed" error={errors["retries.withinMinutes"]}>
          <Input id={`${idPrefix}-within`} type="number" min={1} max={1440} value={value.withinMinutes} disabled={disabled || value.attempts <= 1} onChange={(e) => onChange({ ...value, withinMinutes: whole(e.target.value, 1, 1440) })} />
        </Field>
      </div>
      <p className="text-xs text-slate-500" aria-live="polite">
        {describeRetries(value)}. Manual backups and permanent failures (refused credentials, a missing database, a version mismatch) are never retried.
      </p>
    </div>
  );
}
