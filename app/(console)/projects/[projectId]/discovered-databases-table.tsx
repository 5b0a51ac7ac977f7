"use client";

import { CheckCircle2 } from "lucide-react";
import Link from "next/link";
import { STAGES } from "@/app/_components/stage";
import { Input, Select } from "@/app/_components/ui/field";
import { Table, Td, Th } from "@/app/_components/ui/layout";
import { STAGE_LABEL, formatBytes } from "@/app/_lib/format";
import type { Stage } from "@/shared/enum-values";
import { defaultDraft, importable, rowFailure, type DiscoveredDatabase, type RowDraft, type RowResult } from "./use-import-environments";

function Outcome({ result, projectId }: { result: RowResult | undefined; projectId: string }) {
  if (!result) return null;
  if (result.state === "creating") return <span className="text-xs text-slate-500">Creating…</span>;
  if (result.state === "created") {
    return (
      <Link href={`/projects/${projectId}/environments/${result.environmentId}`} className="inline-flex items-center gap-1 text-xs font-medium text-emerald-700 hover:underline">
        <CheckCircle2 className="size-3.5" aria-hidden /> Created
      </Link>
    );
  }
  return null;
}

/** The databases found on a server: pick some, name them, give each a stage; each row shows how its creation went. */
export function DiscoveredDatabasesTable({
  databases,
  drafts,
  results,
  onDraftChange,
  projectId,
  disabled,
  ownFields,
}: {
  databases: DiscoveredDatabase[];
  drafts: Record<string, RowDraft>;
  results: Record<string, RowResult>;
  onDraftChange: (name: string, draft: RowDraft) => void;
  projectId: string;
  disabled: boolean;
  /** The settings each database has of its own (the database), as opposed to the connection settings they share. */
  ownFields: string[];
}) {
  const draftOf = (d: DiscoveredDatabase) => drafts[d.name] ?? defaultDraft(d);
  const available = databases.filter((d) => importable(d, results[d.name]));
  const allSelected = available.length > 0 && available.every((d) => draftOf(d).selected);

  return (
    <div className="overflow-hidden rounded-md ring-1 ring-slate-200 ring-inset">
      <Table>
        <thead>
          <tr>
            <Th className="w-10">
              <input
                type="checkbox"
                aria-label="Select every database that is not used yet"
                className="size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                checked={allSelected}
                disabled={disabled || available.length === 0}
                onChange={(e) => available.forEach((d) => onDraftChange(d.name, { ...draftOf(d), selected: e.target.checked }))}
              />
            </Th>
            <Th>Database</Th>
            <Th>Version</Th>
            <Th>Size</Th>
            <Th>Environment name</Th>
            <Th>Stage</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {databases.map((d, index) => {
            const draft = draftOf(d);
            const result = results[d.name];
            const open = importable(d, result);
            const editable = open && draft.selected && !disabled;
            const failure = result?.state === "failed" ? rowFailure(result, ownFields) : null;
            return (
              <tr key={d.name} className={`align-top ${open ? "" : "bg-slate-50/60"}`}>
                <Td>
                  <input
                    type="checkbox"
                    aria-label={`Import ${d.name}`}
                    className="mt-2.5 size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500 disabled:opacity-50"
                    checked={open ? draft.selected : result?.state === "created"}
                    disabled={!open || disabled}
                    onChange={(e) => onDraftChange(d.name, { ...draft, selected: e.target.checked })}
                  />
                </Td>
                <Td>
                  <div className="pt-2">
                    <p className="font-medium break-all text-slate-900">{d.name}</p>
                    {d.existingEnvironment && <p className="text-xs text-slate-500">Already used by {d.existingEnvironment}</p>}
                    <Outcome result={result} projectId={projectId} />
                  </div>
                </Td>
                <Td className="whitespace-nowrap text-slate-600">
                  <p className="pt-2">{d.version ?? "—"}</p>
                </Td>
                <Td className="whitespace-nowrap text-slate-600 tabular-nums">
                  <p className="pt-2">{formatBytes(d.sizeBytes)}</p>
                </Td>
                <Td className="min-w-48">
                  {result?.state === "created" && <p className="pt-2 text-slate-700">{draft.name}</p>}
                  {open && (
                    <>
                      <Input
                        aria-label={`Environment name for ${d.name}`}
                        id={`import-name-${index}`}
                        value={draft.name}
                        disabled={!editable}
                        invalid={Boolean(failure && !failure.shared)}
                        onChange={(e) => onDraftChange(d.name, { ...draft, name: e.target.value })}
                      />
                      {failure && (
                        <p className="mt-1 text-xs break-words text-red-600" role="alert">
                          {failure.message}
                        </p>
                      )}
                    </>
                  )}
                </Td>
                <Td className="min-w-36">
                  {open && (
                    <Select aria-label={`Stage of ${d.name}`} value={draft.stage} disabled={!editable} onChange={(e) => onDraftChange(d.name, { ...draft, stage: e.target.value as Stage })}>
                      {STAGES.map((s) => (
                        <option key={s} value={s}>
                          {STAGE_LABEL[s]}
                        </option>
                      ))}
                    </Select>
                  )}
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
