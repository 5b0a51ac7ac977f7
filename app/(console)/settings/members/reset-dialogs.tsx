"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { CopyButton } from "@/app/_components/ui/copy-button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { useTRPC } from "@/app/_lib/trpc";
import type { Member } from "./roles";

function who(member: Member): string {
  return member.name ? `${member.name} (${member.email})` : member.email;
}

/** An admin resets a member's password: asked first, then the temporary password, shown this once. */
export function ResetPasswordDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reset = useMutation(trpc.members.resetPassword.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() }) }));

  if (reset.data) {
    const password = reset.data.temporaryPassword;
    return (
      <Dialog open onClose={onClose} title="Temporary password" description={who(member)} footer={<Button onClick={onClose}>Done</Button>}>
        <div className="space-y-4">
          <Field label="Temporary password" htmlFor="temporary-password">
            <div className="flex gap-2">
              <Input id="temporary-password" readOnly value={password} className="font-mono tracking-wide" onFocus={(e) => e.target.select()} />
              <CopyButton text={password} size="md" />
            </div>
          </Field>
          <Alert tone="warning" title="Shown only this once">
            Give it to {member.name || member.email} yourself, over a channel you trust. They must choose a new password at their next sign-in, and all their
            sessions were ended.
          </Alert>
        </div>
      </Dialog>
    );
  }

  return (
    <ConfirmDialog title="Reset password" confirmLabel="Reset password" pending={reset.isPending} error={reset.error} onClose={onClose} onConfirm={() => reset.mutate({ userId: member.userId })}>
      <p>
        Reset the password of <strong>{who(member)}</strong>? Their current password stops working and every session they have is signed out. You get a temporary
        password to pass on; they must replace it at their next sign-in.
      </p>
      {member.twoFactor && <p>Their two-factor sign-in stays on: they still need their authenticator app.</p>}
    </ConfirmDialog>
  );
}

/** An owner turns off a member's two-factor sign-in (a lost phone, no recovery codes left). */
export function ResetTwoFactorDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reset = useMutation(
    trpc.members.resetTwoFactor.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog title="Reset two-factor sign-in" confirmLabel="Reset two-factor" pending={reset.isPending} error={reset.error} onClose={onClose} onConfirm={() => reset.mutate({ userId: member.userId })}>
      <p>
        Turn off two-factor sign-in for <strong>{who(member)}</strong>? Their authenticator app and recovery codes stop working and every session they have is
        signed out. Do this only when you are sure it is really them asking (for example, they lost their phone).
      </p>
      <p>They can then sign in with their password alone; if the organization requires two-factor sign-in, they are asked to set it up again right away.</p>
    </ConfirmDialog>
  );
}
