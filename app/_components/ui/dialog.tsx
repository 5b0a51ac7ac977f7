"use client";

import { X } from "lucide-react";
import { useEffect, type ReactNode } from "react";

const WIDTHS = { md: "max-w-lg", wide: "max-w-2xl", lg: "max-w-3xl", xl: "max-w-4xl" } as const;

/**
 * A modal dialog; Escape or the close button calls onClose. `wide` or `size` give forms and tables more room.
 * `dismissible={false}` hides the close button and ignores Escape and outside clicks (while something shown once,
 * such as recovery codes, must be acknowledged first).
 */
export function Dialog({
  open,
  title,
  description,
  onClose,
  children,
  footer,
  wide,
  size,
  dismissible = true,
}: {
  open: boolean;
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  size?: "lg" | "xl";
  dismissible?: boolean;
}) {
  useEffect(() => {
    if (!open || !dismissible) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, onClose, dismissible]);
  if (!open) return null;
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-4 pt-[10vh]" onMouseDown={(e) => dismissible && e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-label={title} className={`w-full ${WIDTHS[size ?? (wide ? "wide" : "md")]} rounded-lg bg-white shadow-xl ring-1 ring-slate-200`}>
        <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-5 py-4">
          <div>
            <h2 className="text-base font-semibold text-slate-900">{title}</h2>
            {description && <p className="mt-0.5 text-sm text-slate-500">{description}</p>}
          </div>
          {dismissible && (
            <button type="button" onClick={onClose} className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600" aria-label="Close">
              <X className="size-4" />
            </button>
          )}
        </div>
        <div className="px-5 py-4">{children}</div>
        {footer && <div className="flex items-center justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-5 py-3">{footer}</div>}
      </div>
    </div>
  );
}
