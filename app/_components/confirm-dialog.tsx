"use client";

import type { ReactNode } from "react";
import { errorInfo } from "@/app/_lib/errors";
import { Button } from "./ui/button";
import { Dialog } from "./ui/dialog";
import { Alert } from "./ui/layout";

/**
 * Asks before a destructive action; the dialog stays open and shows the server's message if the action fails.
 * Cancel has the focus first, so Enter pressed out of habit does not destroy anything.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  pending,
  error,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  pending: boolean;
  error: unknown;
}) {
  const failure = errorInfo(error);
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button variant="secondary" autoFocus onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" loading={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm text-slate-700">
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        {children}
      </div>
    </Dialog>
  );
}
