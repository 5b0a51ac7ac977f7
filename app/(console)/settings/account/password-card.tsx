"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { PasswordChangeForm } from "@/app/_components/account/password-change-form";
import { Alert, Card } from "@/app/_components/ui/layout";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Account } from "./types";

export function PasswordCard({ account }: { account: Account }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState(false);
  const description = account.passwordChangedAt ? `Last changed ${formatDateTime(account.passwordChangedAt)}.` : "Not changed since your account was created.";

  return (
    <Card title="Password" description={`Signs you in as ${account.email}. ${description}`}>
      <div className="max-w-md space-y-4">
        {changed && <Alert tone="success">Password changed. Your other sessions were signed out; this one stays signed in.</Alert>}
        <PasswordChangeForm
          onChanged={async () => {
            setChanged(true);
            await queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
          }}
        />
      </div>
    </Card>
  );
}
