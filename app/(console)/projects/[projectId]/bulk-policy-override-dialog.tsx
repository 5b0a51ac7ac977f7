"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FIELD_ORDER, FieldEditor, fieldInSentence, usePolicyOptions, type Policy, type PolicyField, type PolicyOptions } from "@/app/_components/policies/policy-fields";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Checkbox } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";

/** Sets the chosen policy fields on several environments at once; what else each one overrides stays. */
export function BulkPolicyOverrideDialog({ environments, onClose, onApplied }: { environments: Array<{ id: string; name: string }>; onClose: () => void; onApplied: () => void }) {
  const trpc = useTRPC();
  const orgDefault = useQuery(trpc.backupPolicies.getDefault.queryOptions({}));
  const options = usePolicyOptions();
  const title = "Apply policy override";
  const description = `To ${environments.length === 1 ? "1 environment" : `${environments.length} environments`}: ${environments.map((e) => e.name).join(", ")}`;
  if (!orgDefault.data) {
    return (
      <Dialog open size="lg" onClose={onClose} title={title} description={description}>
        <QueryState query={orgDefault} what="the default policy">
          {() => null}
        </QueryState>
      </Dialog>
    );
  }
  return <BulkOverrideForm title={title} description={description} environmentIds={environments.map((e) => e.id)} start={orgDefault.data} options={options} onClose={onClose} onApplied={onApplied} />;
}

function BulkOverrideForm({
  title,
  description,
  environmentIds,
  start,
  options,
  onClose,
  onApplied,
}: {
  title: string;
  description: string;
  environmentIds: string[];
  start: Policy;
  options: PolicyOptions;
  onClose: () => void;
  onApplied: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<PolicyField[]>([]);
  // The fields start from the organization's default; an override names a storage location rather than "the default one".
  const [draft, setDraft] = useState<Policy>(() => ({ ...start, storageLocationId: start.storageLocationId ?? options.storage.find((l) => l.isDefault)?.id ?? null }));
  const apply = useMutation(
    trpc.backupPolicies.bulkOverride.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onApplied();
      },
    }),
  );
  const failure = errorInfo(apply.error);

  function toggle(field: PolicyField, on: boolean) {
    apply.reset();
    setChosen((current) => (on ? [...current, field] : current.filter((f) => f !== field)));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    apply.mutate({ environmentIds, override: Object.fromEntries(chosen.map((field) => [field, draft[field]])) });
  }

  return (
    <Dialog
      open
      size="lg"
      onClose={onClose}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="bulk-override-form" loading={apply.isPending} disabled={chosen.length === 0 || (chosen.includes("storageLocationId") && draft.storageLocationId === null)}>
            Apply to {environmentIds.length === 1 ? "1 environment" : `${environmentIds.length} environments`}
          </Button>
        </>
      }
    >
      <form id="bulk-override-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        <p className="text-sm text-slate-600">Tick the settings to set. Each environment keeps whatever else it already overrides; unticked settings are not touched.</p>
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        <div className="divide-y divide-slate-200 rounded-md ring-1 ring-slate-200">
          {FIELD_ORDER.map((field) => {
            const on = chosen.includes(field);
            return (
              <div key={field} className={`px-4 py-3 ${on ? "bg-slate-50/60" : ""}`}>
                <Checkbox id={`bulk-set-${field}`} label={`Set ${fieldInSentence(field)}`} checked={on} onChange={(e) => toggle(field, e.target.checked)} />
                {on && (
                  <div className="mt-3 pl-6.5">
                    <FieldEditor field={field} draft={draft} onChange={(patch) => setDraft((current) => ({ ...current, ...patch }))} options={options} idPrefix="bulk" override errors={failure?.fields} />
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </form>
    </Dialog>
  );
}
