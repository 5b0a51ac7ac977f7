"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, Card } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { DefaultPolicyForm } from "./default-policy-form";

/** Settings › Backups: the organization's default backup policy. */
export function DefaultPolicyView() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.backupPolicies.getDefault.queryOptions({}));
  const loadError = errorInfo(policy.error);

  return (
    <Card
      title="Default backup policy"
      description="Every environment without its own setting follows these. An environment can override any of them on its Backup Management tab; what it does not override keeps following this page."
    >
      {loadError ? (
        <Alert tone="danger">{loadError.message}</Alert>
      ) : policy.data ? (
        <DefaultPolicyForm policy={policy.data} />
      ) : (
        <p className="py-6 text-center text-sm text-slate-500">Loading…</p>
      )}
    </Card>
  );
}
