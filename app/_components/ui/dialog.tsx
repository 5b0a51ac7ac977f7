"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { useId, useInsertionEffect, useRef, useState, type ReactNode } from "react";
import { flushSync } from "react-dom";
import { Button } from "./button";

const WIDTHS = { md: "max-w-lg", wide: "max-w-2xl", lg: "max-w-3xl", xl: "max-w-4xl" } as const;

function focusedElement(): HTMLElement | null {
  const active = typeof document === "undefined" ? null : document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

/**
 * The opener of a dialog that closed in this same React commit: a dialog that replaces another (a loading dialog
 * giving way to the wizard it loaded) opens with the focus nowhere, and takes over the first one's opener.
 */
const handover: { opener: HTMLElement | null } = { opener: null };

/** Whether another open dialog holds the page: the focus then stays in it rather than going back behind it. */
function coveredByAnotherDialog(element: HTMLElement): boolean {
  return [...document.querySelectorAll('[role="dialog"][data-state="open"]')].some((d) => !d.contains(element));
}

/**
 * A modal dialog (Radix): focus stays inside while it is open and goes back to the element that opened it.
 * Escape or the close button calls onClose; once anything was typed or chosen in it (any `input` event inside), they
 * first ask "Discard changes?" inside the dialog; `dirty` decides instead when given. A click on the backdrop never
 * closes it: a half-filled form is not lost to a stray click. `wide` or `size` give forms and tables more room.
 * `dismissible={false}` hides the close button and ignores Escape (while something shown once, such as recovery
 * codes, must be acknowledged first).
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
  dirty,
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
  /** Whether closing loses something: true for choices made by buttons, false where every action applies at once. */
  dirty?: boolean;
}) {
  const [typed, setTyped] = useState(false);
  const [asking, setAsking] = useState(false);
  const [wasOpen, setWasOpen] = useState(open);
  const opener = useRef<HTMLElement | null>(null);
  const resumeAt = useRef<HTMLElement | null>(null);
  const askId = useId();
  if (open !== wasOpen) {
    setWasOpen(open);
    setTyped(false);
    setAsking(false);
  }
  // Before React inserts the dialog (and an autoFocus field inside takes focus): the element that opened it.
  useInsertionEffect(() => {
    if (!open) return;
    const captured = focusedElement() ?? handover.opener;
    opener.current = captured;
    return () => {
      handover.opener = captured;
      queueMicrotask(() => (handover.opener = null));
    };
  }, [open]);

  function requestClose() {
    if (!dismissible) return;
    if (!(dirty ?? typed)) return onClose();
    resumeAt.current = focusedElement();
    setAsking(true);
  }

  function keepEditing() {
    flushSync(() => setAsking(false));
    resumeAt.current?.focus();
  }

  return (
    <RadixDialog.Root open={open} onOpenChange={(next) => !next && requestClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-black/50 p-3 pt-[6vh] sm:p-4 sm:pt-[10vh]">
          <RadixDialog.Content
            // Radix points aria-describedby at the Description; without one, say there is none.
            {...(description ? {} : { "aria-describedby": undefined })}
            className={`relative w-full ${WIDTHS[size ?? (wide ? "wide" : "md")]} rounded-lg bg-white shadow-xl ring-1 ring-slate-200 focus:outline-none`}
            onInput={() => setTyped(true)}
            onPointerDownOutside={(e) => e.preventDefault()}
            onInteractOutside={(e) => e.preventDefault()}
            onEscapeKeyDown={(e) => {
              e.preventDefault();
              if (asking) keepEditing();
              else requestClose();
            }}
            onCloseAutoFocus={(e) => {
              e.preventDefault();
              const back = opener.current;
              if (back?.isConnected && !coveredByAnotherDialog(back)) back.focus();
            }}
          >
            <div inert={asking} className="flex flex-col">
              <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-4 py-4 sm:px-5">
                <div className="min-w-0">
                  <RadixDialog.Title className="text-base font-semibold text-slate-900">{title}</RadixDialog.Title>
                  {description && <RadixDialog.Description className="mt-0.5 text-sm text-slate-500">{description}</RadixDialog.Description>}
                </div>
                {dismissible && (
                  <button type="button" onClick={requestClose} className="rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600" aria-label="Close">
                    <X className="size-4" />
                  </button>
                )}
              </div>
              <div className="min-w-0 px-4 py-4 sm:px-5">{children}</div>
              {footer && <div className="flex flex-wrap items-center justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-4 py-3 sm:px-5">{footer}</div>}
            </div>
            {asking && (
              <div className="absolute inset-0 z-10 flex items-start justify-center rounded-lg bg-black/30 p-4 pt-16">
                <div role="alertdialog" aria-modal="true" aria-labelledby={`${askId}-title`} aria-describedby={`${askId}-text`} className="w-full max-w-sm rounded-lg bg-white p-5 shadow-lg ring-1 ring-slate-200">
                  <h3 id={`${askId}-title`} className="text-base font-semibold text-slate-900">
                    Discard changes?
                  </h3>
                  <p id={`${askId}-text`} className="mt-1 text-sm text-slate-600">
                    What you entered in “{title}” has not been saved and will be lost.
                  </p>
                  <div className="mt-4 flex flex-wrap justify-end gap-2">
                    <Button variant="secondary" autoFocus onClick={keepEditing}>
                      Keep editing
                    </Button>
                    <Button variant="danger" onClick={onClose}>
                      Discard
                    </Button>
                  </div>
                </div>
              </div>
            )}
          </RadixDialog.Content>
        </RadixDialog.Overlay>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
