"use client";

import { useQuery } from "@tanstack/react-query";
import { Card } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { OrganizationForm } from "./organization-form";

export function GeneralView() {
  const trpc = useTRPC();
  const organization = useQuery(trpc.organization.get.queryOptions());

  return (
    <Card title="Organization" description="The agency this console belongs to.">
      <QueryState query={organization} what="the organization">
        {() => organization.data && <OrganizationForm key={organization.data.id} organization={organization.data} />}
      </QueryState>
    </Card>
  );
}
