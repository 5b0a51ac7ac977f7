"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Database, Plus, ServerCog } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useContributions } from "@/app/_components/plugin-contributions";
import { StageBadge } from "@/app/_components/stage";
import { Button } from "@/app/_components/ui/button";
import { LoadMore } from "@/app/_components/ui/load-more";
import { Alert, Badge, Card, EmptyState, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { EnvironmentFormDialog } from "./environment-form-dialog";
import { ImportEnvironmentsDialog } from "./import-environments-dialog";

/** The environments of one project, adding one, and importing several from a server's databases. */
export function ProjectEnvironments({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useConsoleSession();
  const sources = useContributions("sources");
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const environments = useInfiniteQuery(
    trpc.environments.list.infiniteQueryOptions({ projectId, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = environments.data?.pages.flatMap((p) => p.items) ?? [];
  const addButtons = can("operator") && (
    <div className="flex items-center gap-2">
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
    <Card title="Environments" description="Each environment is one database (and its files) on one of your servers." actions={items.length > 0 && addButtons} padded={false}>
      {environments.isLoading ? (
        <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
      ) : environments.error ? (
        <div className="p-5">
          <Alert tone="danger">{errorInfo(environments.error)?.message}</Alert>
        </div>
      ) : items.length === 0 ? (
        <EmptyState icon={<Database className="size-6" />} title="No environments yet" action={addButtons}>
          Add this client&apos;s production database first, then its staging or test copies. Each one can then be backed up and restored.
        </EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Environment</Th>
              <Th>Stage</Th>
              <Th>Server</Th>
              <Th>Source</Th>
              <Th>Created</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((e) => (
              <tr key={e.id} className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(href(e.id))}>
                <Td>
                  <Link href={href(e.id)} className="font-medium text-slate-900 hover:text-brand-700" onClick={(event) => event.stopPropagation()}>
                    {e.name}
                  </Link>
                  {e.restoring && (
                    <span className="ml-2" title="A restore into this environment is queued or running">
                      <Badge tone="warning">Restoring…</Badge>
                    </span>
                  )}
                </Td>
                <Td>
                  <StageBadge stage={e.stage} />
                </Td>
                <Td>{e.serverName}</Td>
                <Td>{sources.title(e.source)}</Td>
                <Td className="whitespace-nowrap text-slate-500">{formatDateTime(e.createdAt)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <LoadMore query={environments} />
      {adding && <EnvironmentFormDialog projectId={projectId} onClose={() => setAdding(false)} />}
      {importing && <ImportEnvironmentsDialog projectId={projectId} onClose={() => setImporting(false)} />}
    </Card>
  );
}
