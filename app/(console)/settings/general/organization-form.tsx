"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Checkbox, Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

type Organization = inferRouterOutputs<AppRouter>["organization"]["get"];

/** Admins edit; everyone else sees the same values, read-only. */
export function OrganizationForm({ organization }: { organization: Organization }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can } = useConsoleSession();
  const editable = can("admin");
  const [name, setName] = useState(organization.name);
  const [viewersCanDownload, setViewersCanDownload] = useState(organization.viewersCanDownload);
  const update = useMutation(
    trpc.organization.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        // The sidebar shows the organization's name from the server-rendered layout.
        router.refresh();
      },
    }),
  );
  const failure = errorInfo(update.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ name, viewersCanDownload });
  }

  function edited<T>(set: (value: T) => void) {
    return (value: T) => {
      update.reset();
      set(value);
    };
  }

  return (
    <form onSubmit={onSubmit} className="max-w-lg space-y-5" noValidate>
      {!editable && <Alert tone="info">Only admins can change these settings.</Alert>}
      {failure && !failure.fields.name && <Alert tone="danger">{failure.message}</Alert>}
      {update.isSuccess && <Alert tone="success">Settings saved.</Alert>}
      <Field label="Organization name" htmlFor="organization-name" hint="Shown in the sidebar to every member." error={failure?.fields.name}>
        <Input id="organization-name" value={name} disabled={!editable} onChange={(e) => edited(setName)(e.target.value)} invalid={Boolean(failure?.fields.name)} />
      </Field>
      <Checkbox
        id="viewers-can-download"
        label="Viewers can create download links"
        hint="Lets members with the Viewer role hand out expiring download links to backup files. Operators, admins and owners always can."
        checked={viewersCanDownload}
        disabled={!editable}
        onChange={(e) => edited(setViewersCanDownload)(e.target.checked)}
      />
      {editable && (
        <Button type="submit" loading={update.isPending}>
          Save
        </Button>
      )}
    </form>
  );
}
