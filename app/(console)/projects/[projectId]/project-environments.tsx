"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Database, Plus, ServerCog, SlidersHorizontal } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useContributions } from "@/app/_components/plugin-contributions";
import { describeSchedule } from "@/app/_components/policies/schedule-presets";
import { StageBadge } from "@/app/_components/stage";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Badge, Card, EmptyState, Table, Td, Th } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { StatusBadge } from "@/app/_components/fleet/status";
import type { EnvironmentHealth } from "@/app/_components/fleet/types";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { PolicySummary } from "@/server/policies/policy-summaries";
import { BulkPolicyOverrideDialog } from "./bulk-policy-override-dialog";
import { ArchiveViewToggle, type ArchiveView } from "@/app/_components/lifecycle/archive-view-toggle";
import { EnvironmentFormDialog } from "./environment-form-dialog";
import { ImportEnvironmentsDialog } from "./import-environments-dialog";

/** The environment's schedule, or Off, and whether it follows the organization default or has its own settings. */
function PolicyCell({ policy }: { policy?: PolicySummary }) {
  if (!policy) return <>—</>;
  return (
    <span className="flex items-center gap-2 whitespace-nowrap">
      <span className={policy.enabled ? "" : "text-slate-500"} title={policy.enabled ? `${policy.schedule} (${policy.timezone})` : "Automatic backups are off"}>
        {policy.enabled ? describeSchedule(policy.schedule) : "Off"}
      </span>
      {policy.overridden ? (
        <span title="This environment overrides some settings of the organization's default policy">
          <Badge tone="info">Custom</Badge>
        </span>
      ) : (
        <span title="Every setting follows the organization's default policy">
          <Badge>Default</Badge>
        </span>
      )}
    </span>
  );
}

/** Its status and last success, from the same health the header shows (one query, shared). */
function HealthCell({ health }: { health: EnvironmentHealth | undefined }) {
  if (!health) return <span className="text-slate-400">—</span>;
  return (
    <span className="flex flex-col items-start gap-0.5 whitespace-nowrap">
      <StatusBadge status={health.status} />
      <span className="text-xs text-slate-500" title={health.lastSuccessAt ? formatDateTime(health.lastSuccessAt) : undefined}>
        Last success {formatRelative(health.lastSuccessAt)}
      </span>
    </span>
  );
}

/** The environments of one project, adding one, importing several from a server's databases, and a policy override for several at once. */
export function ProjectEnvironments({ projectId, archived }: { projectId: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useConsoleSession();
  const sources = useContributions("sources");
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [overriding, setOverriding] = useState(false);
  // An offboarded project has only archived environments: show those.
  const [chosenView, setView] = useState<ArchiveView>();
  const view = chosenView ?? (archived ? "archived" : "active");
  const environments = useInfiniteQuery(
    trpc.environments.list.infiniteQueryOptions({ projectId, limit: 50, view }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = environments.data?.pages.flatMap((p) => p.items) ?? [];
  const health = useQuery(trpc.fleet.health.queryOptions({ projectId }, { enabled: view === "active" }));
  const healthOf = new Map(health.data?.projects[0]?.environments.map((e) => [e.environmentId, e]));
  const selecting = can("operator") && view === "active";
  const chosen = items.filter((e) => selected.includes(e.id));
  const allChosen = items.length > 0 && chosen.length === items.length;
  const toggle = (id: string, on: boolean) => setSelected((current) => (on ? [...current, id] : current.filter((x) => x !== id)));
  const addButtons = can("operator") && !archived && (
    <div className="flex flex-wrap items-center gap-2">
      {chosen.length > 0 && (
        <Button variant="secondary" onClick={() => setOverriding(true)}>
          <SlidersHorizontal className="size-4" aria-hidden /> Apply policy override… ({chosen.length})
        </Button>
      )}
      <Button variant="secondary" onClick={() => setImporting(true)}>
        <ServerCog className="size-4" aria-hidden /> Import from server
      </Button>
      <Button onClick={() => setAdding(true)}>
        <Plus className="size-4" aria-hidden /> Add environment
      </Button>
    </div>
  );
  const href = (id: string) => `/projects/${projectId}/environments/${id}`;

  return (
    <Card
      title="Environments"
      description="Each environment is one database (and its files) on one of your servers."
      actions={
        <div className="flex flex-wrap items-center justify-end gap-3">
          <ArchiveViewToggle label="Which environments" value={view} onChange={setView} />
          {items.length > 0 && view === "active" && addButtons}
        </div>
      }
      padded={false}
    >
      <QueryState query={environments} what="the environments">
        {() =>
          items.length === 0 && view === "archived" ? (
            <EmptyState icon={<Database className="size-6" />} title="No archived environments">
              A destroyed environment is archived here with its backups, which stay restorable until they are purged.
            </EmptyState>
          ) : items.length === 0 ? (
            <EmptyState icon={<Database className="size-6" />} title="No environments yet" action={addButtons}>
              Add this client&apos;s production database first, then its staging or test copies. Each one can then be backed up and restored.
            </EmptyState>
          ) : (
            <Table>
              <thead>
                <tr>
                  {selecting && (
                    <Th className="w-10">
                      <input
                        type="checkbox"
                        aria-label="Select all environments"
                        className="size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                        checked={allChosen}
                        onChange={(event) => setSelected(event.target.checked ? items.map((e) => e.id) : [])}
                      />
                    </Th>
                  )}
                  <Th>Environment</Th>
                  {view === "active" && <Th>Health</Th>}
                  <Th>Stage</Th>
                  <Th>Server</Th>
                  <Th>Source</Th>
                  <Th className="whitespace-nowrap">Backup policy</Th>
                  <Th className="hidden 2xl:table-cell">Created</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.map((e) => (
                  <tr key={e.id} className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(href(e.id))}>
                    {selecting && (
                      <td className="w-10 px-4 py-3 align-middle" onClick={(event) => event.stopPropagation()}>
                        <input
                          type="checkbox"
                          aria-label={`Select ${e.name}`}
                          className="size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
                          checked={selected.includes(e.id)}
                          onChange={(event) => toggle(e.id, event.target.checked)}
                        />
                      </td>
                    )}
                    <Td>
                      <Link href={href(e.id)} className="font-medium text-slate-900 hover:text-brand-700" onClick={(event) => event.stopPropagation()}>
                        {e.name}
                      </Link>
                      {e.archivedAt && (
                        <span className="ml-2" title={e.keepBackups ? "Destroyed; its backups stay restorable" : "Holds imported backups of an environment this console no longer knew; never backed up"}>
                          <Badge tone="neutral">Archived</Badge>
                        </span>
                      )}
                      {e.restoring && (
                        <span className="ml-2" title="A restore into this environment is queued or running">
                          <Badge tone="warning">Restoring…</Badge>
                        </span>
                      )}
                    </Td>
                    {view === "active" && (
                      <Td>
                        <HealthCell health={healthOf.get(e.id)} />
                      </Td>
                    )}
                    <Td>
                      <StageBadge stage={e.stage} />
                    </Td>
                    <Td>{e.serverName}</Td>
                    <Td>{sources.title(e.source)}</Td>
                    <Td>{e.archivedAt ? <span className="text-slate-500">Not backed up (archived)</span> : <PolicyCell policy={e.policy} />}</Td>
                    <Td className="hidden whitespace-nowrap text-slate-500 2xl:table-cell">{formatDateTime(e.createdAt)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )
        }
      </QueryState>
      <LoadMore query={environments} />
      {adding && <EnvironmentFormDialog projectId={projectId} onClose={() => setAdding(false)} />}
      {importing && <ImportEnvironmentsDialog projectId={projectId} onClose={() => setImporting(false)} />}
      {overriding && (
        <BulkPolicyOverrideDialog
          environments={chosen}
          onClose={() => setOverriding(false)}
          onApplied={() => {
            setOverriding(false);
            setSelected([]);
          }}
        />
      )}
    </Card>
  );
}
