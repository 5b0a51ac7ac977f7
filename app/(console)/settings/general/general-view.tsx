"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert, Card } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { OrganizationForm } from "./organization-form";

export function GeneralView() {
  const trpc = useTRPC();
  const organization = useQuery(trpc.organization.get.queryOptions());
  const loadError = errorInfo(organization.error);

  return (
    <Card title="Organization" description="The agency this console belongs to.">
      {loadError ? (
        <Alert tone="danger">{loadError.message}</Alert>
      ) : organization.data ? (
        <OrganizationForm key={organization.data.id} organization={organization.data} />
      ) : (
        <p className="py-6 text-center text-sm text-slate-500">Loading…</p>
      )}
    </Card>
  );
}
