"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { FolderKanban, Plus, Search, SlidersHorizontal } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { FleetTable } from "@/app/_components/fleet/fleet-table";
import type { ProjectHealth } from "@/app/_components/fleet/types";
import { ArchiveViewToggle, type ArchiveView } from "@/app/_components/lifecycle/archive-view-toggle";
import { Button } from "@/app/_components/ui/button";
import { Input } from "@/app/_components/ui/field";
import { Card, EmptyState, PageHeader, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { LoadMore } from "@/app/_components/ui/load-more";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BulkPolicyOverrideDialog } from "./[projectId]/bulk-policy-override-dialog";
import { ProjectFormDialog } from "./project-form-dialog";

/** While a backup asked for here is queued or running, the table follows it; otherwise it refreshes each minute. */
const FOLLOW_MS = 2000;
const REFRESH_MS = 60_000;

function matches(project: ProjectHealth, q: string): boolean {
  const words = q.toLowerCase();
  return project.name.toLowerCase().includes(words) || project.environments.some((e) => e.name.toLowerCase().includes(words));
}

/** Offboarded clients: when each was archived. */
function ArchivedProjects({ q }: { q: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const projects = useInfiniteQuery(trpc.projects.list.infiniteQueryOptions({ q: q || undefined, limit: 50, view: "archived" }, { getNextPageParam: (last) => last.nextCursor ?? undefined }));
  const items = projects.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <QueryState query={projects} what="the archived projects">
      {() =>
        items.length === 0 ? (
          q ? <EmptyState title={`No archived project matches "${q}"`} /> : <EmptyState title="No archived projects">An offboarded client&apos;s project is archived here with its environments&apos; final backups.</EmptyState>
        ) : (
          <>
            <Table>
              <TableHead labels={["Project", "Archived", "Created"]} />
              <tbody className="divide-y divide-slate-100">
                {items.map((p) => (
                  <tr key={p.id} className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(`/projects/${p.id}`)}>
                    <Td>
                      <Link href={`/projects/${p.id}`} className="font-medium break-words text-slate-900 hover:text-brand-700" onClick={(e) => e.stopPropagation()}>
                        {p.name}
                      </Link>
                      {p.description && <p className="line-clamp-2 max-w-xl text-xs text-slate-500" title={p.description}>{p.description}</p>}
                    </Td>
                    <Td className="whitespace-nowrap">{formatDateTime(p.archivedAt)}</Td>
                    <Td className="whitespace-nowrap text-slate-500">{formatDateTime(p.createdAt)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <LoadMore query={projects} />
          </>
        )
      }
    </QueryState>
  );
}

export function ProjectsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useConsoleSession();
  const [q, setQ] = useState("");
  const [creating, setCreating] = useState(false);
  const [view, setView] = useState<ArchiveView>("active");
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [overriding, setOverriding] = useState(false);
  const fleet = useQuery(
    trpc.fleet.health.queryOptions({}, { enabled: view === "active", refetchInterval: (query) => (query.state.data?.projects.some((p) => p.environments.some((e) => e.activeBackup)) ? FOLLOW_MS : REFRESH_MS) }),
  );
  const all = fleet.data?.projects ?? [];
  const shown = q.trim() ? all.filter((p) => matches(p, q.trim())) : all;
  // Named with their client, since environments of several clients often share a name ("production").
  const chosen = all.flatMap((p) => p.environments.filter((e) => selected.has(e.environmentId)).map((e) => ({ id: e.environmentId, name: `${p.name} / ${e.name}` })));
  const selection = can("operator")
    ? {
        selected,
        onToggle: (id: string, on: boolean) =>
          setSelected((current) => {
            const next = new Set(current);
            if (on) next.add(id);
            else next.delete(id);
            return next;
          }),
      }
    : undefined;
  const newButton = can("operator") && (
    <Button onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> New project
    </Button>
  );

  return (
    <>
      <PageHeader title="Projects" description="One project per client, worst health first: what failed, what is late, and what runs next." actions={(all.length > 0 || view === "archived") && newButton} />
      <Card padded={false}>
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 p-3">
          <div className="relative w-full max-w-sm">
            <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-slate-400" aria-hidden />
            <Input aria-label="Search projects" placeholder="Search clients or environments" className="pl-9" value={q} onChange={(e) => setQ(e.target.value)} />
          </div>
          <div className="flex flex-wrap items-center gap-3">
            {view === "active" && chosen.length > 0 && (
              <Button variant="secondary" onClick={() => setOverriding(true)}>
                <SlidersHorizontal className="size-4" aria-hidden /> Apply policy override… ({chosen.length})
              </Button>
            )}
            <ArchiveViewToggle label="Which projects" value={view} onChange={setView} />
          </div>
        </div>
        {view === "archived" ? (
          <ArchivedProjects q={q.trim()} />
        ) : (
          <QueryState query={fleet} what="the projects">
            {() =>
              shown.length > 0 ? (
                <FleetTable projects={shown} selection={selection} />
              ) : q.trim() ? (
                <EmptyState title={`No client or environment matches "${q.trim()}"`} />
              ) : (
                <EmptyState icon={<FolderKanban className="size-6" />} title="No projects yet" action={newButton}>
                  Create a project for each client, then add its environments (production, staging…) to start protecting them.
                </EmptyState>
              )
            }
          </QueryState>
        )}
      </Card>
      {overriding && (
        <BulkPolicyOverrideDialog
          environments={chosen}
          onClose={() => setOverriding(false)}
          onApplied={() => {
            setOverriding(false);
            setSelected(new Set());
            toast.success(`Policy override applied to ${chosen.length === 1 ? "1 environment" : `${chosen.length} environments`}`);
          }}
        />
      )}
      {creating && <ProjectFormDialog open onClose={() => setCreating(false)} onSaved={(p) => router.push(`/projects/${p.id}`)} />}
    </>
  );
}
