"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { useContributions } from "@/app/_components/plugin-contributions";
import { SchemaForm } from "@/app/_components/schema-form";
import { PinSuggestion, TestResult, pinHint, type PinHint } from "@/app/_components/test-result";
import { errorsShownAtFields, useContributionConfig } from "@/app/_components/use-contribution-config";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import { isRulesField, rulesDraft, rulesErrors, rulesInput, type RulesInput } from "./server-rules-draft";
import { ServerRulesFields } from "./server-rules-fields";

export type Server = inferRouterOutputs<AppRouter>["servers"]["list"]["items"][number];

/** Add a server, or edit one when `server` is given (its kind is then fixed). */
export function ServerFormDialog({ server, onClose }: { server?: Server; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(server?.name ?? "");
  const [limit, setLimit] = useState(String(server?.maxConcurrentOperations ?? 2));
  const [rules, setRules] = useState(() => rulesDraft(server));
  // What the last save sent, so the API's `allowedRoots.N` errors land on the rows they are about.
  const [submitted, setSubmitted] = useState<RulesInput | null>(null);
  // Rows the form itself refuses (half filled, a name twice), checked again on every edit once a save was tried.
  const [checked, setChecked] = useState(false);
  // A saved server is tested with the form's settings; a new one's settings alone (the same check, two procedures).
  const testSaved = useMutation(trpc.servers.test.mutationOptions());
  const testDraft = useMutation(trpc.servers.testDraft.mutationOptions());
  const test = server ? testSaved : testDraft;
  // A value the operator trusted from the last test (e.g. a host key): still shown, as pinned, once the test is cleared.
  const [trusted, setTrusted] = useState<PinHint | null>(null);
  const form = useContributionConfig("serverKinds", { id: server?.kind, config: server?.config }, () => {
    test.reset();
    setTrusted(null);
  });
  const { contributions: kinds, id: kind, contribution, config } = form;
  const sources = useContributions("sources");
  const knownPrograms = [...new Set(sources.items.flatMap((s) => s.programs))].sort();
  const pin = pinHint(test.data?.details) ?? trusted;

  function trust(hint: PinHint) {
    form.edit({ ...config, [hint.field]: hint.value });
    setTrusted(hint);
  }

  const onSuccess = async () => {
    await queryClient.invalidateQueries();
    toast.success(server ? `Server "${name}" saved` : `Server "${name}" created`);
    onClose();
  };
  const create = useMutation(trpc.servers.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.servers.update.mutationOptions({ onSuccess }));
  const save = server ? update : create;
  const failure = errorInfo(save.error ?? test.error);
  const fields = failure?.fields ?? {};
  const explained = errorsShownAtFields(fields, ["name", "kind", "maxConcurrentOperations"], "config") || Object.keys(fields).some(isRulesField);
  const ruleErrors = { ...rulesErrors(fields, submitted, rules), ...(checked ? rulesInput(rules).problems : {}) };

  function onTest() {
    save.reset();
    setTrusted(null);
    if (server) testSaved.mutate({ id: server.id, config });
    else testDraft.mutate({ kind, config });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    test.reset();
    const { input, problems } = rulesInput(rules);
    setChecked(true);
    if (Object.keys(problems).length > 0) return save.reset();
    setSubmitted(input);
    const { allowedRoots, databasePattern, programs, compressOn } = input;
    const maxConcurrentOperations = Number(limit);
    if (server) update.mutate({ id: server.id, name, config, allowedRoots, databasePattern, programs, compressOn, maxConcurrentOperations });
    else create.mutate({ name, kind, config, allowedRoots, databasePattern, programs, compressOn, maxConcurrentOperations });
  }

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={server ? "Edit server" : "Add server"}
      description="Where environments live: this host, or a machine the console reaches over SSH."
      footer={
        <>
          <Button variant="secondary" className="mr-auto" loading={test.isPending} disabled={!contribution} onClick={onTest}>
            Test connection
          </Button>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="server-form" loading={save.isPending} disabled={!kind}>Save</Button>
        </>
      }
    >
      <form id="server-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !explained && <Alert tone="danger">{failure.message}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" htmlFor="server-name" hint="How you refer to it in the console" error={fields.name}>
            <Input id="server-name" placeholder="e.g. This host, or db-1.example.com" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(fields.name)} />
          </Field>
          <Field label="Kind" htmlFor="server-kind" hint={contribution?.description ?? undefined} error={fields.kind}>
            <Select id="server-kind" value={kind} disabled={Boolean(server) || kinds.isLoading} invalid={Boolean(fields.kind)} onChange={(e) => form.choose(e.target.value)}>
              {kinds.isLoading && <option value="">Loading…</option>}
              {kind && !contribution && !kinds.isLoading && <option value={kind}>{kind}</option>}
              {kinds.items.map((k) => (
                <option key={k.id} value={k.id}>{k.title}</option>
              ))}
            </Select>
          </Field>
        </div>
        {contribution ? (
          // A kind with nothing to set (this host) says so in its description already.
          Object.keys(contribution.configSchema.properties).length > 0 && <SchemaForm schema={contribution.configSchema} value={config} onChange={form.edit} errors={fields} idPrefix="server-config" saved={server?.config} />
        ) : (
          !kinds.isLoading && <Alert tone="warning">{kind ? `No installed plugin provides the server kind "${kind}".` : "No plugin provides a server kind."} Check the Plugins page.</Alert>
        )}
        <Field
          label="Operations at a time"
          htmlFor="server-max-operations"
          hint="Backups, restores and restore drills running on this server at once; more wait in line for their turn."
          error={fields.maxConcurrentOperations}
        >
          <Input id="server-max-operations" type="number" min={1} max={50} step={1} className="w-24" value={limit} onChange={(e) => setLimit(e.target.value)} invalid={Boolean(fields.maxConcurrentOperations)} />
        </Field>
        <TestResult result={test.data} />
        {pin && <PinSuggestion pin={pin} current={config[pin.field]} onTrust={() => trust(pin)} />}
        <ServerRulesFields value={rules} onChange={setRules} errors={ruleErrors} knownPrograms={knownPrograms} />
      </form>
    </Dialog>
  );
}
