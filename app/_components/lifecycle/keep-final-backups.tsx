"use client";

import { RadioCard } from "@/app/_components/ui/radio-card";
import { KEEP_FINAL_BACKUPS, type KeepFinalBackups } from "@/shared/enum-values";

export const KEEP_FINAL_LABEL: Record<KeepFinalBackups, string> = { "90_days": "90 days", "1_year": "1 year", permanent: "Permanently" };

const KEEP_FINAL_HINT: Record<KeepFinalBackups, string> = {
  "90_days": "Then every backup of it is removed from storage, unless pinned",
  "1_year": "Then every backup of it is removed from storage, unless pinned",
  permanent: "Never removed automatically: purge it when it may go",
};

/** "Keep final backups for 90 days / 1 year / permanently", chosen when destroying. */
export function KeepFinalBackupsChoice({ value, onChange }: { value: KeepFinalBackups; onChange: (value: KeepFinalBackups) => void }) {
  return (
    <fieldset className="space-y-2">
      <legend className="mb-1.5 text-sm font-medium text-slate-700">Keep its backups</legend>
      <div className="grid gap-2 sm:grid-cols-3">
        {KEEP_FINAL_BACKUPS.map((k) => (
          <RadioCard key={k} name="keep-final-backups" value={k} checked={value === k} onChange={(v) => onChange(v as KeepFinalBackups)} title={KEEP_FINAL_LABEL[k]} description={KEEP_FINAL_HINT[k]} />
        ))}
      </div>
    </fieldset>
  );
}
