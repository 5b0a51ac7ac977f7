import type { ReactNode } from "react";

/** An on/off toggle with its label and an optional line saying what it does. */
export function Switch({ id, label, hint, checked, onChange, disabled }: { id: string; label: string; hint?: ReactNode; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean }) {
  return (
    <div className="flex items-start gap-3">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={`relative mt-0.5 inline-flex h-5 w-9 shrink-0 cursor-pointer rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:cursor-not-allowed disabled:opacity-60 ${checked ? "bg-brand-600" : "bg-slate-300"}`}
      >
        <span className={`pointer-events-none mt-0.5 ml-0.5 inline-block size-4 rounded-full bg-white shadow-sm ring-0 transition-transform ${checked ? "translate-x-4" : "translate-x-0"}`} aria-hidden />
      </button>
      <label htmlFor={id} className="text-sm text-slate-700">
        <span id={`${id}-label`} className="font-medium">
          {label}
        </span>
        {hint && <span className="block text-xs text-slate-500">{hint}</span>}
      </label>
    </div>
  );
}
