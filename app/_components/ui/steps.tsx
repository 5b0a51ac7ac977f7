import { Check } from "lucide-react";

/**
 * Where a wizard is: the steps done (checked), the current one, and those still ahead. On a phone only the current
 * step is named (the others keep their names for screen readers), so the row fits on one line.
 */
export function Steps({ steps, current }: { steps: readonly string[]; current: number }) {
  return (
    <ol className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm max-sm:gap-x-1.5" aria-label="Steps">
      {steps.map((step, index) => {
        const done = index < current;
        const active = index === current;
        return (
          <li key={step} className="flex items-center gap-2" aria-current={active ? "step" : undefined}>
            {index > 0 && <span className="h-px w-3 bg-slate-300 sm:w-6" aria-hidden />}
            <span
              className={`flex size-6 items-center justify-center rounded-full text-xs font-semibold ${
                done ? "bg-brand-600 text-white" : active ? "bg-white text-brand-700 ring-2 ring-brand-600" : "bg-slate-100 text-slate-500"
              }`}
              aria-hidden
            >
              {done ? <Check className="size-3.5" /> : index + 1}
            </span>
            <span className={active ? "font-medium text-slate-900" : `max-sm:sr-only ${done ? "text-slate-700" : "text-slate-500"}`}>{step}</span>
          </li>
        );
      })}
    </ol>
  );
}
