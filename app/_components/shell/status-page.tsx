import type { ReactNode } from "react";

/** A whole-page message (not found, something failed): what happened, and the ways on from here. */
export function StatusPage({ icon, code, title, children, actions }: { icon: ReactNode; code?: string; title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <div className="flex min-h-[60vh] items-center justify-center px-4 py-12">
      <div className="w-full max-w-md rounded-xl bg-white p-8 text-center shadow-sm ring-1 ring-slate-200">
        <div className="mx-auto mb-4 flex size-12 items-center justify-center rounded-full bg-brand-50 text-brand-600">{icon}</div>
        {code && <p className="text-xs font-semibold tracking-widest text-slate-500 uppercase">{code}</p>}
        <h1 className="mt-1 text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <div className="mt-2 text-sm text-slate-600">{children}</div>
        <div className="mt-6 flex flex-wrap items-center justify-center gap-2">{actions}</div>
      </div>
    </div>
  );
}

/** A link styled as a button, for the ways on from a status page. */
export const LINK_BUTTON = {
  primary: "inline-flex items-center gap-1.5 rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 dark:hover:bg-brand-500",
  secondary: "inline-flex items-center gap-1.5 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50",
} as const;
