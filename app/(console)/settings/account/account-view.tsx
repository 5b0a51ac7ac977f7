"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Card } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { ApiTokensCard } from "./api-tokens-card";
import { PasswordCard } from "./password-card";
import { SessionsCard } from "./sessions-card";
import { TwoFactorCard } from "./two-factor-card";

/** The signed-in person's own account: password, two-factor sign-in, where they are signed in, their API tokens. */
export function AccountView() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const loaded = Boolean(account.data);

  // A link to a section (/settings/account#api-tokens, where the old API tokens page leads): the browser looked for it
  // before the cards above it had loaded, so scroll to it once they have.
  useEffect(() => {
    const id = window.location.hash.slice(1);
    if (loaded && id) document.getElementById(id)?.scrollIntoView({ block: "start" });
  }, [loaded]);

  return (
    <div className="space-y-6">
      {account.data ? (
        <>
          <PasswordCard account={account.data} />
          <TwoFactorCard account={account.data} />
          <SessionsCard account={account.data} />
        </>
      ) : (
        <Card padded={false}>
          <QueryState query={account} what="your account">
            {() => null}
          </QueryState>
        </Card>
      )}
      <ApiTokensCard />
    </div>
  );
}
