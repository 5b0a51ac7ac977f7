"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";

/** A change to the account that the person at the keyboard proves with their current password. */
export function PasswordProofDialog({
  title,
  children,
  confirmLabel,
  danger,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  onConfirm: (currentPassword: string) => void;
  onClose: () => void;
}) {
  const [password, setPassword] = useState("");
  const failure = errorInfo(error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onConfirm(password);
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="password-proof-form" variant={danger ? "danger" : "primary"} loading={pending} disabled={!password}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <form id="password-proof-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        <div className="space-y-2 text-sm text-slate-700">{children}</div>
        {failure && !failure.fields.currentPassword && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Current password" htmlFor="proof-password" error={failure?.fields.currentPassword}>
          <Input
            id="proof-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoFocus
            invalid={Boolean(failure?.fields.currentPassword)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
