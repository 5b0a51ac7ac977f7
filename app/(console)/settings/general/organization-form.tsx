"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Checkbox, Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

type Organization = inferRouterOutputs<AppRouter>["organization"]["get"];
type Requirement = Organization["twoFactorRequired"];

const REQUIREMENTS: { value: Requirement; label: string }[] = [
  { value: "off", label: "Nobody (each member chooses)" },
  { value: "admins", label: "Owners and admins" },
  { value: "everyone", label: "Everyone" },
];

function requiredFor(requirement: Requirement, role: string): boolean {
  return requirement === "everyone" || (requirement === "admins" && (role === "owner" || role === "admin"));
}

/** Admins edit; everyone else sees the same values, read-only. Only owners decide who must use two-factor sign-in. */
export function OrganizationForm({ organization }: { organization: Organization }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can, role } = useConsoleSession();
  const editable = can("admin");
  const ownerEditable = can("owner");
  const [name, setName] = useState(organization.name);
  const [viewersCanDownload, setViewersCanDownload] = useState(organization.viewersCanDownload);
  const [twoFactorRequired, setTwoFactorRequired] = useState<Requirement>(organization.twoFactorRequired);
  // Whether you yourself have it: requiring it of yourself without it sends you to set it up straight after saving.
  const account = useQuery({ ...trpc.account.get.queryOptions(), enabled: ownerEditable });
  const setsUpSelf = ownerEditable && account.data && !account.data.twoFactor.enabled && requiredFor(twoFactorRequired, role) && twoFactorRequired !== organization.twoFactorRequired;
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
    update.mutate({ name, viewersCanDownload, ...(ownerEditable ? { twoFactorRequired } : {}) });
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
      <Field
        label="Require two-factor sign-in"
        htmlFor="two-factor-required"
        error={failure?.fields.twoFactorRequired}
        hint={
          <>
            Members it applies to who have not set it up yet are asked to, with an authenticator app, at their next page load; they cannot use the console until they
            have.{editable && !ownerEditable && " Only owners can change this."}
          </>
        }
      >
        <Select
          id="two-factor-required"
          value={twoFactorRequired}
          disabled={!ownerEditable}
          onChange={(e) => edited(setTwoFactorRequired)(e.target.value as Requirement)}
          className="max-w-72"
        >
          {REQUIREMENTS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </Select>
      </Field>
      {setsUpSelf && (
        <Alert tone="warning" title="This includes you">
          You have not set up two-factor sign-in yet: after saving you will be asked to, before going on. Have your phone ready.
        </Alert>
      )}
      {editable && (
        <Button type="submit" loading={update.isPending}>
          Save
        </Button>
      )}
    </form>
  );
}
