"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { SchemaForm } from "@/app/_components/schema-form";
import { PinSuggestion, TestResult, pinHint, type PinHint } from "@/app/_components/test-result";
import { errorsShownAtFields, useContributionConfig } from "@/app/_components/use-contribution-config";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Checkbox, Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

export type StorageLocation = inferRouterOutputs<AppRouter>["storageLocations"]["list"]["items"][number];

/**
 * Add a storage location, or edit one when `location` is given (its provider is then fixed).
 * `first`: no location exists yet, so this one should become the default.
 */
export function StorageLocationFormDialog({ location, first, onClose }: { location?: StorageLocation; first: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(location?.name ?? "");
  const [isDefault, setIsDefault] = useState(location?.isDefault ?? first);
  const test = useMutation(trpc.storageLocations.testDraft.mutationOptions());
  // A value the operator trusted from the last test (e.g. an SFTP host key): still shown, as pinned, once the test is cleared.
  const [trusted, setTrusted] = useState<PinHint | null>(null);
  const form = useContributionConfig("storageProviders", { id: location?.provider, config: location?.config }, () => {
    test.reset();
    setTrusted(null);
  });
  const { contributions: providers, id: provider, contribution, config } = form;
  const pin = pinHint(test.data?.details) ?? trusted;

  function trust(hint: PinHint) {
    form.edit({ ...config, [hint.field]: hint.value });
    setTrusted(hint);
  }

  const onSuccess = async () => {
    await queryClient.invalidateQueries();
    toast.success(location ? `Storage location "${name}" saved` : `Storage location "${name}" created`);
    onClose();
  };
  const create = useMutation(trpc.storageLocations.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.storageLocations.update.mutationOptions({ onSuccess }));
  const save = location ? update : create;
  const failure = errorInfo(save.error ?? test.error);
  const fields = failure?.fields ?? {};
  const explained = errorsShownAtFields(fields, ["name", "provider"], "config");

  function onTest() {
    save.reset();
    test.mutate(location ? { id: location.id, config } : { provider, config });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    test.reset();
    if (location) update.mutate({ id: location.id, name, config, isDefault: isDefault || undefined });
    else create.mutate({ name, provider, config, isDefault });
  }

  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={location ? "Edit storage location" : "Add storage location"}
      description="Where backups are kept: a folder on this host, an S3-compatible bucket, an SFTP or FTP server."
      footer={
        <>
          <Button variant="secondary" className="mr-auto" loading={test.isPending} disabled={!contribution} onClick={onTest}>
            Test connection
          </Button>
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" form="storage-location-form" loading={save.isPending} disabled={!provider}>Save</Button>
        </>
      }
    >
      <form id="storage-location-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !explained && <Alert tone="danger">{failure.message}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" htmlFor="storage-name" hint="How you refer to it in the console" error={fields.name}>
            <Input id="storage-name" placeholder="e.g. Local backups" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(fields.name)} />
          </Field>
          <Field label="Provider" htmlFor="storage-provider" hint={contribution?.description ?? undefined} error={fields.provider}>
            <Select id="storage-provider" value={provider} disabled={Boolean(location) || providers.isLoading} invalid={Boolean(fields.provider)} onChange={(e) => form.choose(e.target.value)}>
              {providers.isLoading && <option value="">Loading…</option>}
              {provider && !contribution && !providers.isLoading && <option value={provider}>{provider}</option>}
              {providers.items.map((p) => (
                <option key={p.id} value={p.id}>{p.title}</option>
              ))}
            </Select>
          </Field>
        </div>
        {contribution ? (
          <SchemaForm schema={contribution.configSchema} value={config} onChange={form.edit} errors={fields} idPrefix="storage-config" saved={location?.config} />
        ) : (
          !providers.isLoading && <Alert tone="warning">{provider ? `No installed plugin provides the storage provider "${provider}".` : "No plugin provides a storage provider."} Check the Plugins page.</Alert>
        )}
        <Checkbox
          id="storage-default"
          label="Make this the default"
          hint={location?.isDefault ? "This is the default location. To change it, make another location the default." : "New backups go to the default location unless a policy picks another one."}
          checked={isDefault}
          disabled={location?.isDefault}
          onChange={(e) => setIsDefault(e.target.checked)}
        />
        <TestResult result={test.data} />
        {pin && <PinSuggestion pin={pin} current={config[pin.field]} onTrust={() => trust(pin)} />}
      </form>
    </Dialog>
  );
}
