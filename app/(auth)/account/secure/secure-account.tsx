"use client";

import { LogOut } from "lucide-react";
import { signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { PasswordChangeForm } from "@/app/_components/account/password-change-form";
import { TwoFactorEnrolment } from "@/app/_components/account/two-factor-enrolment";
import type { PendingStep } from "@/server/auth/principal";

/**
 * The step a signed-in person must finish before the console opens. After it, "/" decides: the console, or the
 * next step (a reset password first, then two-factor enrolment).
 */
export function SecureAccount({ step, account }: { step: PendingStep; account: string }) {
  const router = useRouter();

  function carryOn() {
    router.replace("/");
    router.refresh();
  }

  return (
    <div className="space-y-6">
      {step === "password_change" ? (
        <>
          <div>
            <h1 className="text-lg font-semibold text-slate-900">Choose a new password</h1>
            <p className="mt-1 text-sm text-slate-500">
              Your password was reset by an admin. Enter the temporary password they gave you, then choose your own for <span className="font-medium text-slate-700">{account}</span>.
            </p>
          </div>
          <PasswordChangeForm currentLabel="Temporary password" submitLabel="Save new password and continue" onChanged={carryOn} fullWidthSubmit />
        </>
      ) : (
        <>
          <div>
            <h1 className="text-lg font-semibold text-slate-900">Set up two-factor sign-in</h1>
            <p className="mt-1 text-sm text-slate-500">
              Your organization requires two-factor sign-in for <span className="font-medium text-slate-700">{account}</span>. It takes a minute, with an
              authenticator app on your phone.
            </p>
          </div>
          <TwoFactorEnrolment account={account} onDone={carryOn} doneLabel="Continue to the console" />
        </>
      )}
      <div className="border-t border-slate-200 pt-4 text-center">
        <button type="button" onClick={() => signOut({ callbackUrl: "/signin" })} className="inline-flex items-center gap-1.5 text-sm text-slate-500 hover:text-slate-700 hover:underline">
          <LogOut className="size-3.5" aria-hidden /> Sign out
        </button>
      </div>
    </div>
  );
}
