"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Archive, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Button } from "@/app/_components/ui/button";
import { Select } from "@/app/_components/ui/field";
import { Badge, Card, EmptyState, PageHeader, Table, Td, Th, type Tone } from "@/app/_components/ui/layout";
import { BACKUP_STATUS_LABEL, BACKUP_TYPE_LABEL, formatBytes, formatDateTime, formatDuration } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { BACKUP_STATUSES, BACKUP_TYPES } from "@/server/db/schema/enums";

const STATUS_TONE: Record<string, Tone> = { pending: "neutral", in_progress: "info", uploading: "info", completed: "success", failed: "danger", expired: "warning" };

type Status = (typeof BACKUP_STATUSES)[number];
type Type = (typeof BACKUP_TYPES)[number];

export function BackupsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const status = (BACKUP_STATUSES as readonly string[]).includes(params.get("status") ?? "") ? (params.get("status") as Status) : undefined;
  const type = (BACKUP_TYPES as readonly string[]).includes(params.get("type") ?? "") ? (params.get("type") as Type) : undefined;
  const backups = useInfiniteQuery(
    trpc.backups.list.infiniteQueryOptions({ status, type, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const items = backups.data?.pages.flatMap((p) => p.items) ?? [];

  // Filters live in the URL, so a filtered view can be shared and the back button works.
  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`);
  }

  return (
    <>
      <PageHeader title="Backups" description="Every backup of every environment in your organization, newest first." />
      <Card padded={false}>
        <div className="flex flex-wrap gap-3 border-b border-slate-200 p-3">
          <Select aria-label="Status" className="w-44" value={status ?? ""} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">All statuses</option>
            {BACKUP_STATUSES.map((s) => (
              <option key={s} value={s}>
                {BACKUP_STATUS_LABEL[s]}
              </option>
            ))}
          </Select>
          <Select aria-label="Type" className="w-44" value={type ?? ""} onChange={(e) => setFilter("type", e.target.value)}>
            <option value="">All types</option>
            {BACKUP_TYPES.map((t) => (
              <option key={t} value={t}>
                {BACKUP_TYPE_LABEL[t]}
              </option>
            ))}
          </Select>
        </div>
        {backups.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : items.length === 0 ? (
          status || type ? (
            <EmptyState title="No backup matches these filters" />
          ) : (
            <EmptyState icon={<Archive className="size-6" />} title="No backups yet">
              Backups of every environment will be listed here, newest first, with their status and size.
            </EmptyState>
          )
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Created</Th>
                <Th>Environment</Th>
                <Th>Type</Th>
                <Th>Status</Th>
                <Th>Size</Th>
                <Th>Duration</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((b) => (
                <tr key={b.id}>
                  <Td className="whitespace-nowrap">
                    {formatDateTime(b.createdAt)}
                    {b.name && <p className="text-xs text-slate-500">{b.name}</p>}
                  </Td>
                  <Td>
                    <Link href={`/projects/${b.projectId}/environments/${b.environmentId}`} className="font-medium text-slate-900 hover:text-brand-700">
                      {b.environmentName}
                    </Link>
                    <p className="text-xs text-slate-500">{b.projectName}</p>
                  </Td>
                  <Td>{BACKUP_TYPE_LABEL[b.type]}</Td>
                  <Td>
                    <div className="flex items-center gap-1.5">
                      <Badge tone={STATUS_TONE[b.status]}>{BACKUP_STATUS_LABEL[b.status]}</Badge>
                      {b.verified && (
                        <span title="Checked against its checksums after upload" className="text-emerald-600">
                          <ShieldCheck className="size-4" aria-label="Verified" />
                        </span>
                      )}
                    </div>
                    {b.status === "failed" && b.error && <p className="mt-1 max-w-xs text-xs text-red-600">{b.error}</p>}
                  </Td>
                  <Td className="tabular-nums">{formatBytes(b.sizeBytes)}</Td>
                  <Td className="tabular-nums">{formatDuration(b.startedAt, b.finishedAt)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {backups.hasNextPage && (
          <div className="border-t border-slate-200 p-3 text-center">
            <Button variant="secondary" size="sm" loading={backups.isFetchingNextPage} onClick={() => backups.fetchNextPage()}>
              Load more
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
