"use client";

import type { ReactNode } from "react";
import { StageBadge } from "@/app/_components/stage";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import type { Stage } from "@/shared/enum-values";
import type { RestoreOptions } from "./restore-plan";

/** `name`: the environment's own name, for sentences; `title`: with its project, for the summary. */
export type TargetSummary = { name: string; title: string; detail: string; stage: Stage; isNew: boolean };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-4 py-3 sm:grid-cols-[9rem_1fr] sm:gap-4">
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase sm:pt-0.5">{label}</dt>
      <dd className="min-w-0 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** Step 3 of the restore wizard: what will happen; where existing data is replaced, the warning and typing RESTORE. */
export function RestoreConfirmStep({
  backup,
  target,
  options,
  crossClient,
  confirm,
  onConfirmChange,
  error,
  versions,
}: {
  backup: { title: string; detail: string };
  target: TargetSummary;
  options: RestoreOptions;
  /** The confirmed words of a restore into another client's project, e.g. "Restore Acme's data into Globex's project". */
  crossClient?: string;
  confirm: string;
  onConfirmChange: (value: string) => void;
  error?: string;
  /** Asked once the console refused a restore across major versions of the application: an owner types both. */
  versions?: { value: string; onChange: (value: string) => void; error?: string };
}) {
  const lines = [
    target.isNew ? null : options.safetyBackup ? "Safety backup first" : "No safety backup",
    options.includeFilestore ? "Database and filestore" : "Database only",
    options.neutralize ? "Neutralized (no outgoing mail, scheduled actions stopped, payment providers not live)" : "Not neutralized",
  ].filter((line): line is string => line !== null);
  return (
    <div className="space-y-4">
      <dl className="divide-y divide-slate-200 rounded-md ring-1 ring-slate-200 ring-inset">
        <Row label="Backup">
          <p className="font-medium">{backup.title}</p>
          <p className="text-slate-500">{backup.detail}</p>
        </Row>
        <Row label="Restore into">
          <p className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{target.title}</span>
            <StageBadge stage={target.stage} />
          </p>
          <p className="text-slate-500">{target.detail}</p>
          {crossClient && <p className="mt-1 font-medium text-amber-800">Another client: {crossClient} (confirmed)</p>}
        </Row>
        <Row label="Options">
          <ul className="space-y-0.5">
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </Row>
      </dl>
      {target.isNew ? (
        <Alert tone="info">{target.name} is created from this backup: no existing data is replaced.</Alert>
      ) : (
        <Alert tone="warning" title="Warning">
          Restoring replaces all current data of {target.name} with the backup data. Always create a safety backup first.
        </Alert>
      )}
      {versions && (
        <Field label="Restore across major versions" htmlFor="restore-versions" hint="Owners only: the upgraded database may not start with the other version's code" error={versions.error}>
          <Input id="restore-versions" value={versions.value} autoComplete="off" spellCheck={false} invalid={Boolean(versions.error)} onChange={(e) => versions.onChange(e.target.value)} className="font-mono" />
        </Field>
      )}
      {!target.isNew && (
        <Field label="Type RESTORE to confirm" htmlFor="restore-confirm" error={error}>
          <Input id="restore-confirm" value={confirm} autoComplete="off" spellCheck={false} autoFocus placeholder="RESTORE" invalid={Boolean(error)} onChange={(e) => onConfirmChange(e.target.value)} className="font-mono" />
        </Field>
      )}
    </div>
  );
}
