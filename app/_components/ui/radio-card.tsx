import type { ReactNode } from "react";

/** One choice of a radio group, shown as a card: a title, a line saying what it does, and an optional aside. */
export function RadioCard({
  name,
  value,
  checked,
  onChange,
  title,
  description,
  aside,
  disabled,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: (value: string) => void;
  title: string;
  description?: ReactNode;
  aside?: ReactNode;
  disabled?: boolean;
}) {
  return (
    <label
      className={`flex cursor-pointer items-start gap-3 rounded-md px-3.5 py-3 ring-1 transition-colors ring-inset has-focus-visible:ring-2 has-focus-visible:ring-brand-500 has-disabled:cursor-not-allowed has-disabled:opacity-60 ${
        checked ? "bg-brand-50/60 ring-2 ring-brand-500" : "bg-white ring-slate-200 hover:bg-slate-50"
      }`}
    >
      <input type="radio" name={name} value={value} checked={checked} disabled={disabled} onChange={() => onChange(value)} className="mt-0.5 size-4 shrink-0 border-slate-300 text-brand-600 focus:ring-brand-500" />
      <span className="min-w-0 flex-1">
        <span className="block text-sm font-medium text-slate-900">{title}</span>
        {description && <span className="mt-0.5 block text-xs text-slate-500">{description}</span>}
      </span>
      {aside && <span className="shrink-0 self-center">{aside}</span>}
    </label>
  );
}
