"use client";

import { useQuery } from "@tanstack/react-query";
import { FailuresReachNoOne } from "@/app/_components/notifications/failures-reach-no-one";
import { Card } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { DefaultPolicyForm } from "./default-policy-form";

/** Settings › Backups: the organization's default backup policy, and a warning while failures reach no one. */
export function DefaultPolicyView() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.backupPolicies.getDefault.queryOptions({}));

  return (
    <div className="space-y-4">
      <FailuresReachNoOne />
      <Card
        title="Default backup policy"
        description="Every environment without its own setting follows these. An environment can override any of them on its Backup Management tab; what it does not override keeps following this page."
      >
        <QueryState query={policy} what="the default backup policy">
          {() => <DefaultPolicyForm policy={policy.data!} />}
        </QueryState>
      </Card>
    </div>
  );
}
