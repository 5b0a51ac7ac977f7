"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

const FIELDS = ["currentPassword", "newPassword"];

/** Current (or temporary) password, a new one typed twice; the server checks the rest (length, common passwords). */
export function PasswordChangeForm({
  currentLabel = "Current password",
  submitLabel = "Change password",
  onChanged,
  fullWidthSubmit,
}: {
  currentLabel?: string;
  submitLabel?: string;
  onChanged: () => void;
  fullWidthSubmit?: boolean;
}) {
  const trpc = useTRPC();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrentPassword("");
        setNewPassword("");
        setRepeat("");
        onChanged();
      },
    }),
  );
  const failure = errorInfo(change.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const differ = newPassword !== repeat;
    setMismatch(differ);
    if (differ) return;
    change.mutate({ currentPassword, newPassword });
  }

  function edited(set: (value: string) => void) {
    return (value: string) => {
      if (change.error) change.reset();
      setMismatch(false);
      set(value);
    };
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {failure && !FIELDS.some((f) => failure.fields[f]) && <Alert tone="danger">{failure.message}</Alert>}
      <Field label={currentLabel} htmlFor="current-password" error={failure?.fields.currentPassword}>
        <Input
          id="current-password"
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          onChange={(e) => edited(setCurrentPassword)(e.target.value)}
          invalid={Boolean(failure?.fields.currentPassword)}
        />
      </Field>
      <Field label="New password" htmlFor="new-password" hint="At least 10 characters, and not a common or easily guessed one. A few unrelated words work well." error={failure?.fields.newPassword}>
        <Input
          id="new-password"
          type="password"
          autoComplete="new-password"
          value={newPassword}
          onChange={(e) => edited(setNewPassword)(e.target.value)}
          invalid={Boolean(failure?.fields.newPassword)}
        />
      </Field>
      <Field label="Repeat the new password" htmlFor="repeat-password" error={mismatch ? "The two new passwords are not the same" : undefined}>
        <Input id="repeat-password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => edited(setRepeat)(e.target.value)} invalid={mismatch} />
      </Field>
      <Button type="submit" loading={change.isPending} disabled={!currentPassword || !newPassword || !repeat} className={fullWidthSubmit ? "w-full" : ""}>
        {submitLabel}
      </Button>
    </form>
  );
}
