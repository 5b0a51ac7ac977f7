"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { CopyButton } from "@/app/_components/ui/copy-button";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { Steps } from "@/app/_components/ui/steps";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { RecoveryCodes } from "./recovery-codes";
import { TotpCodeInput } from "./totp-code-input";

// Short: the steps fit on one line in the sign-in pages' narrow card.
const STEPS = ["Password", "Scan", "Save codes"] as const;

/** "ABCD EFGH …": the secret in groups of four, as authenticator apps show and take it. */
function groupsOf4(secret: string): string[] {
  return secret.match(/.{1,4}/g) ?? [];
}

/**
 * Setting up two-factor sign-in: the current password, then the QR code (and the key for typing in) with the first
 * code from the app, then the recovery codes, shown once. `onEnabled` runs as soon as it is on, `onDone` when the
 * codes are saved.
 */
export function TwoFactorEnrolment({
  account,
  onEnabled,
  onDone,
  onCancel,
  doneLabel,
}: {
  account: string;
  onEnabled?: () => void;
  onDone: () => void;
  onCancel?: () => void;
  doneLabel?: string;
}) {
  const trpc = useTRPC();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const start = useMutation(trpc.account.startTwoFactor.mutationOptions());
  const confirm = useMutation(trpc.account.confirmTwoFactor.mutationOptions({ onSuccess: () => onEnabled?.() }));
  const startFailure = errorInfo(start.error);
  const confirmFailure = errorInfo(confirm.error);
  const step = confirm.data ? 2 : start.data ? 1 : 0;

  function onStart(event: FormEvent) {
    event.preventDefault();
    start.mutate({ currentPassword: password }, { onSuccess: () => setPassword("") });
  }

  function onConfirm(event: FormEvent) {
    event.preventDefault();
    confirm.mutate({ code });
  }

  const cancel = onCancel && (
    <Button variant="secondary" onClick={onCancel}>
      Cancel
    </Button>
  );

  return (
    <div className="space-y-5">
      <Steps steps={STEPS} current={step} />
      {confirm.data ? (
        <RecoveryCodes codes={confirm.data.recoveryCodes} account={account} onDone={onDone} doneLabel={doneLabel} />
      ) : start.data ? (
        <form onSubmit={onConfirm} className="space-y-5" noValidate>
          <p className="text-sm text-slate-600">
            Scan this QR code with an authenticator app on your phone (such as 1Password, Bitwarden, Google Authenticator, Microsoft Authenticator or Authy).
          </p>
          <div className="flex flex-col items-center gap-4 rounded-md bg-slate-50 p-4 ring-1 ring-slate-200 ring-inset">
            {/* Server-generated SVG (the qrcode package): markup only, no script. */}
            <div
              role="img"
              aria-label="QR code to scan with your authenticator app"
              className="size-44 shrink-0 rounded bg-white p-1.5 ring-1 ring-slate-200 [&_svg]:block [&_svg]:size-full"
              dangerouslySetInnerHTML={{ __html: start.data.qrSvg }}
            />
            <div className="w-full text-center">
              <p id="setup-key-label" className="text-xs font-medium text-slate-600">
                Can’t scan it? Enter this setup key in the app instead:
              </p>
              <div className="mt-2 flex flex-wrap items-center justify-center gap-3">
                <code aria-labelledby="setup-key-label" className="grid grid-cols-4 gap-x-2.5 gap-y-1 rounded bg-white px-3 py-2 font-mono text-sm tracking-wider text-slate-900 ring-1 ring-slate-200">
                  {groupsOf4(start.data.secret).map((group, i) => (
                    <span key={i}>{group}</span>
                  ))}
                </code>
                <CopyButton text={start.data.secret} label="Copy key" />
              </div>
              <p className="mt-2 text-xs text-slate-500">Time-based, 6 digits, a new code every 30 seconds.</p>
            </div>
          </div>
          <Field label="Enter the 6-digit code from the app" htmlFor="enrolment-code" error={confirmFailure ? (confirmFailure.message.startsWith("Invalid input") ? confirmFailure.fields.code : confirmFailure.message) : undefined}>
            <TotpCodeInput id="enrolment-code" value={code} onChange={(e) => setCode(e.target.value)} className="max-w-40" autoFocus invalid={Boolean(confirmFailure)} />
          </Field>
          <div className="flex justify-end gap-2">
            {cancel}
            <Button type="submit" loading={confirm.isPending} disabled={code.replace(/\s/g, "").length !== 6}>
              Turn on two-factor sign-in
            </Button>
          </div>
        </form>
      ) : (
        <form onSubmit={onStart} className="space-y-5" noValidate>
          <p className="text-sm text-slate-600">
            Each time you sign in, Safehold will ask for a 6-digit code from an authenticator app on your phone, as well as your password. Confirm your password to
            begin.
          </p>
          {startFailure && !startFailure.fields.currentPassword && <Alert tone="danger">{startFailure.message}</Alert>}
          <Field label="Current password" htmlFor="enrolment-password" error={startFailure?.fields.currentPassword}>
            <Input
              id="enrolment-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoFocus
              invalid={Boolean(startFailure?.fields.currentPassword)}
            />
          </Field>
          <div className="flex justify-end gap-2">
            {cancel}
            <Button type="submit" loading={start.isPending} disabled={!password}>
              Continue
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
