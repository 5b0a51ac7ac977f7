"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FieldEditor, fieldInSentence, type Policy, type PolicyField, type PolicyOptions } from "@/app/_components/policies/policy-fields";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { PolicyOverride } from "@/server/policies/policy-fields";

/** Sets one field of an environment's override, keeping the others it overrides. */
export function OverrideFieldDialog({
  environmentId,
  field,
  effective,
  override,
  options,
  onClose,
}: {
  environmentId: string;
  field: PolicyField;
  effective: Policy;
  override: PolicyOverride;
  options: PolicyOptions;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // An override names a location: one that follows the organization's default location starts from that location.
  const [draft, setDraft] = useState<Policy>(() => ({ ...effective, storageLocationId: effective.storageLocationId ?? options.storage.find((l) => l.isDefault)?.id ?? null }));
  const save = useMutation(
    trpc.backupPolicies.putOverride.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  const failure = errorInfo(save.error);
  const overridden = field in override;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ id: environmentId, ...override, [field]: draft[field] });
  }

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={`${overridden ? "Change" : "Override"} ${fieldInSentence(field)}`}
      description="For this environment only. Its other settings are unchanged, and those it does not override keep following the organization default."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="override-field-form" loading={save.isPending} disabled={field === "storageLocationId" && draft.storageLocationId === null}>
            Save override
          </Button>
        </>
      }
    >
      <form id="override-field-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        {field === "storageLocationId" && options.storage.length === 0 && <Alert tone="warning">There is no storage location to choose yet: an admin adds them in Settings › Storage.</Alert>}
        {field === "schedule" && <p className="text-sm text-slate-500">Times are in this environment&apos;s time zone, {effective.timezone}.</p>}
        <FieldEditor field={field} draft={draft} onChange={(patch) => setDraft((current) => ({ ...current, ...patch }))} options={options} idPrefix="override" override errors={failure?.fields} />
      </form>
    </Dialog>
  );
}
