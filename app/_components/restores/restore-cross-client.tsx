"use client";

import { Checkbox } from "@/app/_components/ui/field";
import { crossClientWords, type ProjectRef } from "./restore-plan";

/** The confirmation a restore into another client's project needs, naming both clients. */
export function RestoreCrossClient({ from, into, confirmed, onChange, error }: { from: ProjectRef; into: ProjectRef; confirmed: boolean; onChange: (confirmed: boolean) => void; error?: string }) {
  return (
    <div className="space-y-2 rounded-md bg-amber-50 px-4 py-3 ring-1 ring-amber-200 ring-inset" data-cross-client>
      <p className="text-sm font-medium text-amber-900">Another client&apos;s project</p>
      <p className="text-sm text-amber-800">
        This backup holds <strong className="font-semibold">{from.name}</strong>&apos;s data (its customers, documents and settings). The target is in{" "}
        <strong className="font-semibold">{into.name}</strong>&apos;s project.
      </p>
      <Checkbox id="restore-cross-client" label={crossClientWords(from.name, into.name)} checked={confirmed} onChange={(e) => onChange(e.target.checked)} />
      {error && (
        <p className="text-xs text-red-600" role="alert" data-field-error="restore-cross-client">
          {error}
        </p>
      )}
    </div>
  );
}
