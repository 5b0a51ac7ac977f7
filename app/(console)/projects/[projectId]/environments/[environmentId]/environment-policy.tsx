"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { FIELD_LABEL, FIELD_ORDER, PolicyValue, fieldInSentence, usePolicyOptions, type PolicyField } from "@/app/_components/policies/policy-fields";
import { NextRuns } from "@/app/_components/policies/schedule-editor";
import { EnvironmentStart } from "@/app/_components/policies/start-window";
import { Button } from "@/app/_components/ui/button";
import { Alert, Badge, Card, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { OverrideFieldDialog } from "./override-field-dialog";

/**
 * The environment's backup policy: each field's effective value and whether it is inherited from the organization
 * or overridden here; operators override a field, put it back to the default, or revert the whole policy.
 */
export function EnvironmentPolicy({ environment }: { environment: { id: string; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const editable = can("operator");
  const options = usePolicyOptions();
  const effective = useQuery(trpc.backupPolicies.getEffective.queryOptions({ id: environment.id }));
  const override = useQuery(trpc.backupPolicies.getOverride.queryOptions({ id: environment.id }));
  const [editing, setEditing] = useState<PolicyField | null>(null);
  const [reverting, setReverting] = useState(false);
  const [inheriting, setInheriting] = useState<PolicyField | null>(null);
  const onSuccess = () => queryClient.invalidateQueries();
  const put = useMutation(trpc.backupPolicies.putOverride.mutationOptions({ onSuccess }));
  const revertField = useMutation(trpc.backupPolicies.deleteOverride.mutationOptions({ onSuccess }));
  const revertAll = useMutation(
    trpc.backupPolicies.deleteOverride.mutationOptions({
      onSuccess: async () => {
        await onSuccess();
        setReverting(false);
      },
    }),
  );
  const failure = errorInfo(put.error ?? revertField.error);
  const data = effective.data;
  const own = override.data;
  const overridden = FIELD_ORDER.filter((f) => data?.source[f] === "environment");

  /** "Use default": the field leaves the override; the last one to go removes the override altogether. */
  function inheritField(field: PolicyField) {
    if (!own) return;
    setInheriting(field);
    const rest = Object.fromEntries(Object.entries(own).filter(([key]) => key !== field));
    if (Object.keys(rest).length === 0) revertField.mutate({ id: environment.id });
    else put.mutate({ id: environment.id, ...rest });
  }

  const description =
    overridden.length === 0 ? (
      <>
        Every setting follows the organization&apos;s <Link href="/settings/backups" className="text-brand-700 hover:underline">default backup policy</Link>. Override a setting to change it for this environment only.
      </>
    ) : (
      <>
        {overridden.length === 1 ? "1 setting is" : `${overridden.length} settings are`} overridden for this environment; the others follow the organization&apos;s{" "}
        <Link href="/settings/backups" className="text-brand-700 hover:underline">default backup policy</Link>.
      </>
    );

  return (
    <Card
      title="Backup policy"
      description={description}
      padded={false}
      actions={
        editable &&
        overridden.length > 0 && (
          <Button variant="secondary" onClick={() => setReverting(true)}>
            <RotateCcw className="size-4" aria-hidden /> Revert to organization default
          </Button>
        )
      }
    >
      {failure && (
        <div className="px-5 pt-4">
          <Alert tone="danger">{failure.message}</Alert>
        </div>
      )}
      {!data || !own ? (
        <QueryState query={data ? override : effective} what="the backup policy">
          {() => null}
        </QueryState>
      ) : (
        <>
          <Table>
            <thead>
              <tr>
                <Th className="w-52">Setting</Th>
                <Th>Value</Th>
                <Th className="w-56">Source</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {FIELD_ORDER.map((field) => {
                const isOverridden = data.source[field] === "environment";
                // How the filestore is stored matters only when it is backed up (an override set before stays visible).
                if (field === "filestoreLayout" && !data.policy.includeFilestore && !isOverridden) return null;
                return (
                  <tr key={field} aria-label={FIELD_LABEL[field]}>
                    <Td className="font-medium text-slate-900">{FIELD_LABEL[field]}</Td>
                    <Td>
                      <PolicyValue field={field} policy={data.policy} options={options} />
                    </Td>
                    <Td>{isOverridden ? <Badge tone="info">Overridden</Badge> : <Badge>Inherited from organization</Badge>}</Td>
                    <Td className="text-right whitespace-nowrap">
                      {editable && (
                        <>
                          <Button variant="ghost" size="sm" onClick={() => setEditing(field)}>
                            {isOverridden ? "Change" : "Override"}
                          </Button>
                          {isOverridden && (
                            <Button variant="ghost" size="sm" loading={inheriting === field && (put.isPending || revertField.isPending)} onClick={() => inheritField(field)}>
                              Use default
                            </Button>
                          )}
                        </>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          <div className="space-y-3 border-t border-slate-200 p-5">
            {!data.policy.enabled && <Alert tone="warning">Automatic backups are off for this environment: nothing runs on this schedule, and it does not count toward compliance.</Alert>}
            {data.policy.enabled && <EnvironmentStart nextRun={data.policy.nextRuns[0]} timezone={data.policy.timezone} schedule={data.policy.schedule} spreadMinutes={data.policy.spreadMinutes} />}
            <NextRuns runs={data.policy.nextRuns} timezone={data.policy.timezone} />
          </div>
        </>
      )}
      {editing && data && own && <OverrideFieldDialog environmentId={environment.id} field={editing} effective={data.policy} override={own} options={options} onClose={() => setEditing(null)} />}
      {reverting && (
        <ConfirmDialog
          title="Revert to organization default"
          confirmLabel="Revert"
          onClose={() => setReverting(false)}
          onConfirm={() => revertAll.mutate({ id: environment.id })}
          pending={revertAll.isPending}
          error={revertAll.error}
        >
          Remove every override of <strong>{environment.name}</strong>? Its {overridden.length === 1 ? "overridden setting" : `${overridden.length} overridden settings`} (
          {overridden.map(fieldInSentence).join(", ")}) will follow the organization&apos;s default policy again.
        </ConfirmDialog>
      )}
    </Card>
  );
}
