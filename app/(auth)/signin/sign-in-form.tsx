"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { TotpCodeInput } from "@/app/_components/account/totp-code-input";
import { Button } from "@/app/_components/ui/button";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { sameOriginPath } from "@/shared/same-origin-path";
import { TWO_FACTOR_REQUIRED } from "@/shared/sign-in-errors";

type CodeKind = "app" | "recovery";

/**
 * Email and password; when the account has two-factor sign-in, a second step on the same form asks for a code
 * from the authenticator app (or a recovery code) and sends all three again.
 */
export function SignInForm({ initialError, callbackUrl }: { initialError?: string; callbackUrl?: string }) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [codeKind, setCodeKind] = useState<CodeKind>("app");
  const [code, setCode] = useState("");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    const result = await signIn("credentials", { email, password, code: needsCode ? code.trim() : "", redirect: false });
    setPending(false);
    if (result?.error === TWO_FACTOR_REQUIRED) {
      setNeedsCode(true);
      return;
    }
    if (!result || result.error) {
      setError(result?.error && result.error !== "CredentialsSignin" ? result.error : needsCode ? "Wrong code, email or password" : "Wrong email or password");
      if (needsCode) setCode("");
      return;
    }
    router.replace(sameOriginPath(callbackUrl));
    router.refresh();
  }

  function startOver() {
    setNeedsCode(false);
    setCode("");
    setPassword("");
    setCodeKind("app");
    setError(undefined);
  }

  function switchCodeKind() {
    setCodeKind(codeKind === "app" ? "recovery" : "app");
    setCode("");
    setError(undefined);
  }

  if (needsCode) {
    return (
      <form onSubmit={onSubmit} className="space-y-5" noValidate>
        <div>
          <h1 className="text-lg font-semibold text-slate-900">Two-factor sign-in</h1>
          <p className="mt-1 text-sm text-slate-500">
            {codeKind === "app" ? "Open the authenticator app on your phone and enter the 6-digit code it shows for Safehold." : "Enter one of the recovery codes you saved when you set up two-factor sign-in. Each code works once."}
          </p>
        </div>
        {error && <Alert tone="danger">{error}</Alert>}
        <p className="truncate rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600 ring-1 ring-slate-200 ring-inset">
          Signing in as <span className="font-medium text-slate-900">{email}</span>
        </p>
        {codeKind === "app" ? (
          <Field label="Authentication code" htmlFor="code" hint={error ? "The app shows a new code every 30 seconds: enter the one it shows now, not one already used." : undefined}>
            <TotpCodeInput key="app" id="code" name="code" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          </Field>
        ) : (
          <Field
            label="Recovery code"
            htmlFor="code"
            hint={error ? "Each recovery code works once: try another one from your list." : "Like xxxxx-xxxxx, from the list you downloaded or printed."}
          >
            <Input
              key="recovery"
              id="code"
              name="code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={16}
              placeholder="xxxxx-xxxxx"
              className="font-mono tracking-wider"
              required
              autoFocus
            />
          </Field>
        )}
        <Button type="submit" className="w-full" loading={pending} disabled={!code.trim()}>
          Verify and sign in
        </Button>
        <div className="flex items-center justify-between gap-4 text-sm">
          <button type="button" onClick={switchCodeKind} className="font-medium text-brand-700 hover:underline">
            {codeKind === "app" ? "Use a recovery code instead" : "Use the authenticator app instead"}
          </button>
          <button type="button" onClick={startOver} className="text-slate-500 hover:text-slate-700 hover:underline">
            Back
          </button>
        </div>
      </form>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5">
      <div>
        <h1 className="text-lg font-semibold text-slate-900">Sign in</h1>
        <p className="mt-1 text-sm text-slate-500">to your Safehold console</p>
      </div>
      {error && <Alert tone="danger">{error}</Alert>}
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
      </Field>
      <Field label="Password" htmlFor="password">
        <Input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </Field>
      <Button type="submit" className="w-full" loading={pending}>
        Sign in
      </Button>
    </form>
  );
}
