"use client";

import { useQuery } from "@tanstack/react-query";
import { Card } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { DefaultPolicyForm } from "./default-policy-form";

/** Settings › Backups: the organization's default backup policy. */
export function DefaultPolicyView() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.backupPolicies.getDefault.queryOptions({}));

  return (
    <Card
      title="Default backup policy"
      description="Every environment without its own setting follows these. An environment can override any of them on its Backup Management tab; what it does not override keeps following this page."
    >
      <QueryState query={policy} what="the default policy">
        {() => policy.data && <DefaultPolicyForm policy={policy.data} />}
      </QueryState>
    </Card>
  );
}
