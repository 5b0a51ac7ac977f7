"use client";

export type ArchiveView = "active" | "archived";

/** Active or archived (destroyed, offboarded) items: archived ones are out of the active lists but can still be viewed. */
export function ArchiveViewToggle({ value, onChange, label }: { value: ArchiveView; onChange: (value: ArchiveView) => void; label: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex rounded-md bg-slate-100 p-0.5 text-sm">
      {(["active", "archived"] as const).map((v) => (
        <button
          key={v}
          type="button"
          aria-pressed={value === v}
          onClick={() => onChange(v)}
          className={`rounded px-3 py-1 font-medium ${value === v ? "bg-white text-slate-900 shadow-sm ring-1 ring-slate-200" : "text-slate-500 hover:text-slate-700"}`}
        >
          {v === "active" ? "Active" : "Archived"}
        </button>
      ))}
    </div>
  );
}
