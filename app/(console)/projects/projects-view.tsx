"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { FolderKanban, Plus, Search } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Input } from "@/app/_components/ui/field";
import { Card, EmptyState, PageHeader, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { ArchiveViewToggle, type ArchiveView } from "@/app/_components/lifecycle/archive-view-toggle";
import { ProjectFormDialog } from "./project-form-dialog";

export function ProjectsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useConsoleSession();
  const [q, setQ] = useState("");
  const [creating, setCreating] = useState(false);
  const [view, setView] = useState<ArchiveView>("active");
  const projects = useInfiniteQuery(
    trpc.projects.list.infiniteQueryOptions({ q: q || undefined, limit: 50, view }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = projects.data?.pages.flatMap((p) => p.items) ?? [];
  const newButton = can("operator") && (
    <Button onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> New project
    </Button>
  );

  return (
    <>
      <PageHeader title="Projects" description="One project per client; each holds that client's environments." actions={(items.length > 0 || q) && newButton} />
      <Card padded={false}>
        <div className="flex items-center justify-between gap-3 border-b border-slate-200 p-3">
          <div className="relative w-full max-w-sm">
            <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-slate-400" aria-hidden />
            <Input aria-label="Search projects" placeholder="Search projects" className="pl-9" value={q} onChange={(e) => setQ(e.target.value)} />
          </div>
          <ArchiveViewToggle label="Which projects" value={view} onChange={setView} />
        </div>
        {projects.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : items.length === 0 ? (
          view === "archived" ? (
            <EmptyState title="No archived projects">An offboarded client&apos;s project is archived here with its environments&apos; final backups.</EmptyState>
          ) : q ? (
            <EmptyState title={`No project matches "${q}"`} />
          ) : (
            <EmptyState icon={<FolderKanban className="size-6" />} title="No projects yet" action={newButton}>
              Create a project for each client, then add its environments (production, staging…) to start protecting them.
            </EmptyState>
          )
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Project</Th>
                <Th>{view === "archived" ? "Archived" : "Environments"}</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((p) => (
                <tr key={p.id} className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(`/projects/${p.id}`)}>
                  <Td>
                    <Link href={`/projects/${p.id}`} className="font-medium text-slate-900 hover:text-brand-700" onClick={(e) => e.stopPropagation()}>
                      {p.name}
                    </Link>
                    {p.description && <p className="max-w-xl truncate text-xs text-slate-500">{p.description}</p>}
                  </Td>
                  <Td className="tabular-nums">{view === "archived" ? formatDateTime(p.archivedAt) : p.environmentCount}</Td>
                  <Td className="whitespace-nowrap text-slate-500">{formatDateTime(p.createdAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <LoadMore query={projects} />
      </Card>
      {creating && <ProjectFormDialog open onClose={() => setCreating(false)} onSaved={(p) => router.push(`/projects/${p.id}`)} />}
    </>
  );
}
