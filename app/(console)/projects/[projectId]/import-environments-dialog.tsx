"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { Search } from "lucide-react";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { rememberChoice, useContributions } from "@/app/_components/plugin-contributions";
import { SchemaForm, schemaDefaults, schemaSubset } from "@/app/_components/schema-form";
import { ServerRulesNote } from "@/app/_components/server-rules";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { PluginConfig } from "@/server/plugins/contracts";
import { fieldsMarked } from "@/shared/plugin-fields";
import { DiscoveredDatabasesTable } from "./discovered-databases-table";
import { importable, sharedSettingErrors, useImportEnvironments, type RowDraft } from "./use-import-environments";

function createLabel(count: number): string {
  if (count === 0) return "Create environments";
  return count === 1 ? "Create 1 environment" : `Create ${count} environments`;
}

/** "Import environments from server": list a server's databases, pick some, and create one environment for each. */
export function ImportEnvironmentsDialog({ projectId, onClose }: { projectId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const servers = useQuery(trpc.servers.list.queryOptions({ limit: 200 }));
  const sources = useContributions("sources");
  const discover = useMutation(trpc.environments.discover.mutationOptions());
  const importer = useImportEnvironments(projectId);
  const [chosenServerId, setChosenServerId] = useState<string>();
  const [chosenSource, setChosenSource] = useState<string>();
  const [edited, setEdited] = useState<PluginConfig>();
  const [drafts, setDrafts] = useState<Record<string, RowDraft>>({});

  const serverList = servers.data?.items ?? [];
  const serverId = chosenServerId ?? serverList[0]?.id ?? "";
  const server = serverList.find((s) => s.id === serverId);
  const discoverable = sources.items.filter((c) => c.capabilities.includes("discover"));
  const remembered = sources.defaultId();
  const source = chosenSource ?? (discoverable.some((c) => c.id === remembered) ? remembered : discoverable[0]?.id) ?? "";
  const contribution = sources.find(source);
  // The fields discovery fills in for each database found (the source marks them); the operator does not type them.
  const discovered = fieldsMarked(contribution?.configSchema, "discovered");
  const schema = contribution && schemaSubset(contribution.configSchema, (name) => !discovered.includes(name));
  const connection = edited ?? schemaDefaults(schema);
  const failure = errorInfo(discover.error);
  const settingErrors = { ...sharedSettingErrors(importer.results, discovered), ...failure?.fields };
  const found = discover.data;
  const searched = serverList.find((s) => s.id === discover.variables?.serverId)?.name ?? "the server";
  const chosen = (found ?? []).filter((d) => importable(d, importer.results[d.name]) && drafts[d.name]?.selected).map((d) => ({ database: d, draft: drafts[d.name]! }));
  const created = Object.values(importer.results).filter((r) => r.state === "created").length;
  const noServers = servers.isSuccess && serverList.length === 0;
  const noSource = !sources.isLoading && discoverable.length === 0;
  const blocked = !found ? "Find the databases first" : chosen.length === 0 ? "Select the databases to import" : null;

  // Results belong to the settings they were found with: editing those settings clears them.
  function editSettings(apply: () => void) {
    apply();
    discover.reset();
    setDrafts({});
    importer.reset();
  }

  function onFind(event: FormEvent) {
    event.preventDefault();
    setDrafts({});
    importer.reset();
    discover.mutate({ serverId, source, sourceConfig: connection });
  }

  function onCreate(event: FormEvent) {
    event.preventDefault();
    if (discover.variables && chosen.length > 0) void importer.createAll(discover.variables, chosen);
  }

  return (
    <Dialog
      open
      size="xl"
      onClose={onClose}
      title="Import environments from server"
      description="List the databases a server holds and create an environment for each one you pick."
      footer={
        <>
          {blocked && <p className="mr-auto text-xs text-slate-500">{blocked}</p>}
          <Button variant="secondary" onClick={onClose}>
            {created > 0 ? "Close" : "Cancel"}
          </Button>
          <Button type="submit" form="import-create-form" loading={importer.running} disabled={Boolean(blocked)}>
            {createLabel(chosen.length)}
          </Button>
        </>
      }
    >
      <div className="space-y-5">
        {noSource ? (
          <Alert tone="warning" title="No source can list databases">
            Importing lists the databases on a server through a source plugin that can discover them (Odoo, MySQL/MariaDB, ...). None is installed, or they failed to load: see the{" "}
            <Link href="/plugins" className="font-medium underline">
              Plugins page
            </Link>
            .
          </Alert>
        ) : noServers ? (
          <Alert tone="warning" title="No server yet">
            <Link href="/servers" className="font-medium underline">
              Add a server
            </Link>{" "}
            first, then import its databases.
          </Alert>
        ) : (
          <form id="import-find-form" onSubmit={onFind} className="space-y-4" noValidate>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Server" htmlFor="import-server" error={failure?.fields.serverId}>
                <Select id="import-server" value={serverId} disabled={servers.isLoading} onChange={(e) => editSettings(() => setChosenServerId(e.target.value))}>
                  {servers.isLoading && <option value="">Loading…</option>}
                  {serverList.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Source" htmlFor="import-source" hint={contribution?.description ?? undefined} error={failure?.fields.source}>
                <Select
                  id="import-source"
                  value={source}
                  disabled={sources.isLoading}
                  onChange={(e) =>
                    editSettings(() => {
                      setChosenSource(e.target.value);
                      rememberChoice("sources", e.target.value);
                      setEdited(undefined);
                    })
                  }
                >
                  {sources.isLoading && <option value="">Loading…</option>}
                  {discoverable.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.title}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
            <ServerRulesNote server={server} schema={contribution?.configSchema} />
            {schema && (
              <div className="space-y-3 border-t border-slate-200 pt-4">
                <div>
                  <h3 className="text-sm font-semibold text-slate-900">Connection settings</h3>
                  <p className="mt-0.5 text-xs text-slate-500">How to reach the databases on that server; every environment you import gets these settings and its own database.</p>
                </div>
                <SchemaForm schema={schema} value={connection} onChange={(next) => editSettings(() => setEdited(next))} errors={settingErrors} prefix="sourceConfig" idPrefix="import-config" />
              </div>
            )}
            <div className="flex justify-end">
              <Button type="submit" variant="secondary" loading={discover.isPending} disabled={!serverId || !source}>
                <Search className="size-4" aria-hidden /> Find databases
              </Button>
            </div>
          </form>
        )}
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        {found &&
          (found.length === 0 ? (
            <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">No database found on {searched} with these settings.</p>
          ) : (
            <form id="import-create-form" onSubmit={onCreate} className="space-y-3 border-t border-slate-200 pt-4" noValidate>
              <div>
                <h3 className="text-sm font-semibold text-slate-900">
                  {found.length} database{found.length === 1 ? "" : "s"} on {searched}
                </h3>
                <p className="mt-0.5 text-xs text-slate-500">Pick the ones to import and name their environments. A database another environment uses already cannot be picked.</p>
              </div>
              <DiscoveredDatabasesTable
                databases={found}
                drafts={drafts}
                results={importer.results}
                onDraftChange={(name, draft) => setDrafts((previous) => ({ ...previous, [name]: draft }))}
                projectId={projectId}
                disabled={importer.running}
                ownFields={discovered}
              />
            </form>
          ))}
      </div>
    </Dialog>
  );
}
