"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ShieldCheck, ShieldOff } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { RecoveryCodes } from "@/app/_components/account/recovery-codes";
import { TwoFactorEnrolment } from "@/app/_components/account/two-factor-enrolment";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert, Badge, Card } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { PasswordProofDialog } from "./password-proof-dialog";
import type { Account } from "./types";

const LOW_RECOVERY_CODES = 3;

type Open = "enrol" | "codes" | "disable" | null;

export function TwoFactorCard({ account }: { account: Account }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [open, setOpen] = useState<Open>(null);
  // While new recovery codes are on screen the dialog waits for "I have saved these codes".
  const [codesOnScreen, setCodesOnScreen] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
  const regenerate = useMutation(trpc.account.regenerateRecoveryCodes.mutationOptions({ onSuccess: refresh }));
  const disable = useMutation(
    trpc.account.disableTwoFactor.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setOpen(null);
        // If the organization requires two-factor sign-in, the console layout now sends this person to enrolment.
        router.refresh();
      },
    }),
  );
  const { enabled, enabledAt, recoveryCodesLeft } = account.twoFactor;

  function close() {
    setOpen(null);
    setCodesOnScreen(false);
    regenerate.reset();
    disable.reset();
  }

  return (
    <Card
      title="Two-factor sign-in"
      description="A code from an authenticator app on your phone, asked for at every sign-in as well as your password."
      actions={enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
    >
      {enabled ? (
        <div className="space-y-4">
          <div className="flex items-start gap-3">
            <ShieldCheck className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden />
            <div className="text-sm text-slate-600">
              <p>
                On since {formatDateTime(enabledAt)}. Signing in takes your password and the 6-digit code from your authenticator app, or one of your recovery codes.
              </p>
              <p className="mt-1">
                <span className="font-medium text-slate-900">{recoveryCodesLeft} of 10</span> recovery codes left.
              </p>
            </div>
          </div>
          {recoveryCodesLeft <= LOW_RECOVERY_CODES && (
            <Alert tone="warning" title={recoveryCodesLeft === 0 ? "No recovery codes left" : `Only ${recoveryCodesLeft} recovery code${recoveryCodesLeft === 1 ? "" : "s"} left`}>
              Create new ones so you can still sign in if you lose your phone. The old ones stop working.
            </Alert>
          )}
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setOpen("codes")}>
              New recovery codes
            </Button>
            <Button variant="secondary" className="text-red-700" onClick={() => setOpen("disable")}>
              Turn off
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-4">
          <div className="flex items-start gap-3">
            <ShieldOff className="mt-0.5 size-5 shrink-0 text-slate-400" aria-hidden />
            <p className="max-w-2xl text-sm text-slate-600">
              Your account is protected by your password alone. With two-factor sign-in, a stolen or guessed password is not enough to reach your clients’ servers and
              backups.
            </p>
          </div>
          <Button onClick={() => setOpen("enrol")}>Set up two-factor sign-in</Button>
        </div>
      )}

      {open === "enrol" && (
        <Dialog open onClose={close} dismissible={!codesOnScreen} title="Set up two-factor sign-in" wide>
          <TwoFactorEnrolment
            account={account.email}
            onEnabled={() => {
              setCodesOnScreen(true);
              void refresh();
            }}
            onDone={close}
            onCancel={close}
          />
        </Dialog>
      )}
      {open === "codes" &&
        (regenerate.data ? (
          <Dialog open onClose={close} dismissible={false} title="New recovery codes" description="Your previous recovery codes no longer work." wide>
            <RecoveryCodes codes={regenerate.data.recoveryCodes} account={account.email} onDone={close} />
          </Dialog>
        ) : (
          <PasswordProofDialog
            title="New recovery codes"
            confirmLabel="Create new codes"
            pending={regenerate.isPending}
            error={regenerate.error}
            onConfirm={(currentPassword) => regenerate.mutate({ currentPassword })}
            onClose={close}
          >
            <p>Ten new recovery codes replace the ones you have: the old codes, used or not, stop working.</p>
          </PasswordProofDialog>
        ))}
      {open === "disable" && (
        <PasswordProofDialog
          title="Turn off two-factor sign-in"
          confirmLabel="Turn off"
          danger
          pending={disable.isPending}
          error={disable.error}
          onConfirm={(currentPassword) => disable.mutate({ currentPassword })}
          onClose={close}
        >
          <p>Your password alone will sign you in. Your authenticator app’s entry and your recovery codes stop working, and your other sessions are signed out.</p>
          <p>If your organization requires two-factor sign-in, you will be asked to set it up again straight away.</p>
        </PasswordProofDialog>
      )}
    </Card>
  );
}
