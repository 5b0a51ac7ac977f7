"use client";

import { useQuery } from "@tanstack/react-query";
import { Puzzle } from "lucide-react";
import { Alert, Card, EmptyState, PageHeader } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import { PluginCard, type Plugin } from "./plugin-card";

/** Broken plugins first, so a failure is the first thing seen; then by name. */
function byErrorThenName(a: Plugin, b: Plugin): number {
  const broken = Number(b.status === "error") - Number(a.status === "error");
  return broken || (a.displayName ?? a.id).localeCompare(b.displayName ?? b.id);
}

export function PluginsView() {
  const trpc = useTRPC();
  const plugins = useQuery(trpc.plugins.list.queryOptions({}));
  const items = [...(plugins.data?.items ?? [])].sort(byErrorThenName);
  const broken = items.filter((p) => p.status === "error");

  return (
    <>
      <PageHeader title="Plugins" description="Database sources, storage providers, server kinds and notification channels all come from plugins." />
      <Card className="mb-6">
        <div className="space-y-2 text-sm text-slate-600">
          <p>
            To add a plugin, drop its built folder into one of the plugin folders (<code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">SAFEHOLD_PLUGINS_DIR</code>,
            by default the <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">plugins/</code> folder of your Safehold installation) and restart Safehold. To
            remove one, delete its folder and restart. <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">npx safehold plugin new</code> starts a new one;
            docs/plugins.md is the authoring guide. Plugins run with the console&apos;s own privileges: install only code you trust.
          </p>
          <p>
            Safehold reads each plugin&apos;s manifest without running its code, shows what it contributes, and loads the code only when one of its contributions is first
            used. A plugin that fails to load is listed here with its error; the rest of the console keeps working.
          </p>
        </div>
      </Card>
      {broken.length > 0 && (
        <div className="mb-6">
          <Alert tone="danger" title={broken.length === 1 ? "1 plugin is broken" : `${broken.length} plugins are broken`}>
            {broken.map((p) => p.displayName ?? p.id).join(", ")}: the sources, storage providers, server kinds and notifiers they contribute cannot be used until this is fixed. The
            error is shown on each plugin below.
          </Alert>
        </div>
      )}
      {plugins.isError || plugins.isPending ? (
        <Card padded={false}>
          <QueryState query={plugins} what="plugins">
            {() => null}
          </QueryState>
        </Card>
      ) : items.length === 0 ? (
        <Card>
          <EmptyState icon={<Puzzle className="size-6" />} title="No plugins installed">
            Without plugins there is nothing to back up and nowhere to keep backups. Put plugin folders into plugins/ and restart Safehold.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-4">
          {items.map((p) => (
            <PluginCard key={p.id} plugin={p} />
          ))}
        </div>
      )}
    </>
  );
}
