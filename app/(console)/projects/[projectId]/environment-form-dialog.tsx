"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { SchemaForm } from "@/app/_components/schema-form";
import { ServerRulesNote } from "@/app/_components/server-rules";
import { STAGES } from "@/app/_components/stage";
import { TestResult } from "@/app/_components/test-result";
import { errorsShownAtFields, useContributionConfig } from "@/app/_components/use-contribution-config";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { QueryError } from "@/app/_components/ui/query-state";
import { errorInfo } from "@/app/_lib/errors";
import { STAGE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import type { Stage } from "@/shared/enum-values";

export type Environment = inferRouterOutputs<AppRouter>["environments"]["get"];

/** Add an environment to a project, or edit one when `environment` is given (its source type is then fixed). */
export function EnvironmentFormDialog({ projectId, environment, onClose }: { projectId: string; environment?: Environment; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const servers = useQuery(trpc.servers.list.queryOptions({ limit: 200 }));
  const [name, setName] = useState(environment?.name ?? "");
  const [stage, setStage] = useState<Stage>(environment?.stage ?? "production");
  const [chosenServerId, setChosenServerId] = useState(environment?.serverId);
  // A saved environment is tested with the form's settings; a new one's settings alone (the same check, two procedures).
  const testSaved = useMutation(trpc.environments.test.mutationOptions());
  const testDraft = useMutation(trpc.environments.testDraft.mutationOptions());
  const test = environment ? testSaved : testDraft;
  const form = useContributionConfig("sources", { id: environment?.source, config: environment?.sourceConfig }, () => test.reset());
  const { contributions: sources, id: source, contribution, config: sourceConfig } = form;
  const serverList = servers.data?.items ?? [];
  const serverId = chosenServerId ?? serverList[0]?.id ?? "";
  const server = serverList.find((s) => s.id === serverId);
  // The saved secrets were stored for the environment's server: on another one they must be typed again.
  const movedFrom = environment && serverId && serverId !== environment.serverId ? ["Server"] : [];
  const noServers = servers.isSuccess && serverList.length === 0;

  const onSuccess = async (saved: { name: string }) => {
    await queryClient.invalidateQueries();
    toast.success(environment ? `Environment "${saved.name}" saved` : `Environment "${saved.name}" created`);
    onClose();
  };
  const create = useMutation(trpc.environments.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.environments.update.mutationOptions({ onSuccess }));
  const save = environment ? update : create;
  const failure = errorInfo(save.error ?? test.error);
  const fields = failure?.fields ?? {};
  const explained = errorsShownAtFields(fields, ["name", "stage", "serverId", "source"], "sourceConfig");

  function changeServer(next: string) {
    setChosenServerId(next);
    test.reset();
  }

  function onTest() {
    save.reset();
    if (environment) testSaved.mutate({ id: environment.id, serverId, sourceConfig });
    else testDraft.mutate({ serverId, source, sourceConfig });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    test.reset();
    if (environment) update.mutate({ id: environment.id, name, stage, serverId, sourceConfig });
    else create.mutate({ projectId, name, stage, serverId, source, sourceConfig });
  }

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={environment ? "Edit environment" : "Add environment"}
      description="A database (and its files) on one of your servers."
      footer={
        <>
          <Button variant="secondary" className="mr-auto" loading={test.isPending} disabled={!contribution || !serverId} onClick={onTest}>
            Test connection
          </Button>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="environment-form" loading={save.isPending} disabled={!serverId || !source}>
            {environment ? "Save" : "Create environment"}
          </Button>
        </>
      }
    >
      <form id="environment-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !explained && <Alert tone="danger">{failure.message}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" htmlFor="environment-name" error={fields.name}>
            <Input id="environment-name" placeholder="e.g. Production" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(fields.name)} />
          </Field>
          <Field label="Stage" htmlFor="environment-stage" error={fields.stage}>
            <Select id="environment-stage" value={stage} invalid={Boolean(fields.stage)} onChange={(e) => setStage(e.target.value as Stage)}>
              {STAGES.map((s) => (
                <option key={s} value={s}>{STAGE_LABEL[s]}</option>
              ))}
            </Select>
          </Field>
          {servers.isError ? (
            <div className="sm:col-span-2">
              <QueryError what="the servers" error={servers.error} onRetry={servers.refetch} retrying={servers.isRefetching} />
            </div>
          ) : noServers ? (
            <div className="sm:col-span-2">
              <Alert tone="warning" title="No server yet">
                An environment lives on a server.{" "}
                <Link href="/servers" className="font-medium underline">Add a server</Link> first, then come back.
              </Alert>
            </div>
          ) : (
            <Field label="Server" htmlFor="environment-server" error={fields.serverId}>
              <Select id="environment-server" value={serverId} disabled={servers.isLoading} invalid={Boolean(fields.serverId)} onChange={(e) => changeServer(e.target.value)}>
                {servers.isLoading && <option value="">Loading…</option>}
                {serverList.map((s) => (
                  <option key={s.id} value={s.id}>{s.name}</option>
                ))}
              </Select>
            </Field>
          )}
          <Field label="Source" htmlFor="environment-source" hint={contribution?.description ?? undefined} error={fields.source}>
            <Select id="environment-source" value={source} disabled={Boolean(environment) || sources.isLoading} invalid={Boolean(fields.source)} onChange={(e) => form.choose(e.target.value)}>
              {sources.isLoading && <option value="">Loading…</option>}
              {source && !contribution && !sources.isLoading && <option value={source}>{source}</option>}
              {sources.items.map((c) => (
                <option key={c.id} value={c.id}>{c.title}</option>
              ))}
            </Select>
          </Field>
        </div>
        <ServerRulesNote server={server} schema={contribution?.configSchema} />
        {contribution ? (
          <div className="space-y-3 border-t border-slate-200 pt-4">
            <h3 className="text-sm font-semibold text-slate-900">{contribution.title} settings</h3>
            <SchemaForm
              schema={contribution.configSchema}
              value={sourceConfig}
              onChange={form.edit}
              errors={fields}
              prefix="sourceConfig"
              idPrefix="environment-config"
              saved={environment?.sourceConfig}
              changedScope={movedFrom}
            />
          </div>
        ) : (
          !sources.isLoading && <Alert tone="warning">{source ? `No installed plugin provides the source "${source}".` : "No plugin provides a source."} Check the Plugins page.</Alert>
        )}
        <TestResult result={test.data} />
      </form>
    </Dialog>
  );
}
