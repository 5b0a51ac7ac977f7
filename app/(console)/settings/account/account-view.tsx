"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, Card } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { ApiTokensCard } from "./api-tokens-card";
import { PasswordCard } from "./password-card";
import { SessionsCard } from "./sessions-card";
import { TwoFactorCard } from "./two-factor-card";

/** The signed-in person's own account: password, two-factor sign-in, where they are signed in, their API tokens. */
export function AccountView() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const loadError = errorInfo(account.error);

  return (
    <div className="space-y-6">
      {loadError ? (
        <Alert tone="danger">{loadError.message}</Alert>
      ) : !account.data ? (
        <Card>
          <p className="py-6 text-center text-sm text-slate-500">Loading…</p>
        </Card>
      ) : (
        <>
          <PasswordCard account={account.data} />
          <TwoFactorCard account={account.data} />
          <SessionsCard account={account.data} />
        </>
      )}
      <ApiTokensCard />
    </div>
  );
}
