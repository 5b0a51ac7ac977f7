"use client";

import { useQuery } from "@tanstack/react-query";
import { CheckCircle2, Circle } from "lucide-react";
import Link from "next/link";
import { Badge, Card, PageHeader, Table, Td } from "@/app/_components/ui/layout";
import { actionLabel } from "@/app/_lib/action-label";
import { formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

function Stat({ label, value, href }: { label: string; value: number | undefined; href: string }) {
  return (
    <Link href={href} className="rounded-lg bg-white p-5 shadow-xs ring-1 ring-slate-200 transition hover:ring-brand-500">
      <p className="text-sm text-slate-500">{label}</p>
      <p className="mt-1 text-3xl font-semibold text-slate-900 tabular-nums">{value ?? "–"}</p>
    </Link>
  );
}

export function DashboardView() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.overview.get.queryOptions());
  const activity = useQuery(trpc.activity.list.queryOptions({ limit: 8 }));
  const o = overview.data;
  const steps = [
    { done: (o?.storageLocations ?? 0) > 0, label: "Add a storage location", detail: "Where backups are kept, such as a folder on this host.", href: "/settings/storage" },
    { done: (o?.servers ?? 0) > 0, label: "Add a server", detail: "Where your client environments run, starting with this host.", href: "/servers" },
    { done: (o?.projects ?? 0) > 0, label: "Create a project", detail: "One per client.", href: "/projects" },
    { done: (o?.environments ?? 0) > 0, label: "Add an environment", detail: "A database (and its files) on a server: production, staging…", href: "/projects" },
  ];
  const setupDone = o !== undefined && steps.every((s) => s.done);

  return (
    <>
      <PageHeader title="Dashboard" description="Your organization at a glance." />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Projects" value={o?.projects} href="/projects" />
        <Stat label="Environments" value={o?.environments} href="/projects" />
        <Stat label="Servers" value={o?.servers} href="/servers" />
        <Stat label="Storage locations" value={o?.storageLocations} href="/settings/storage" />
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-5">
        {!setupDone && (
          <Card title="Getting started" description="Four steps to your first protected environment." className="lg:col-span-2">
            <ol className="space-y-4">
              {steps.map((step) => (
                <li key={step.label} className="flex gap-3">
                  {step.done ? <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-label="Done" /> : <Circle className="mt-0.5 size-5 shrink-0 text-slate-300" aria-label="To do" />}
                  <div>
                    <Link href={step.href} className={`text-sm font-medium ${step.done ? "text-slate-500 line-through" : "text-brand-700 hover:underline"}`}>
                      {step.label}
                    </Link>
                    <p className="text-xs text-slate-500">{step.detail}</p>
                  </div>
                </li>
              ))}
            </ol>
          </Card>
        )}
        <Card
          title="Recent activity"
          description={o && o.failuresLast24h > 0 ? `${o.failuresLast24h} ${o.failuresLast24h === 1 ? "failure" : "failures"} in the last 24 hours` : "Nothing failed in the last 24 hours"}
          actions={<Link href="/activity" className="text-sm font-medium text-brand-700 hover:underline">View all</Link>}
          className={setupDone ? "lg:col-span-5" : "lg:col-span-3"}
          padded={false}
        >
          {activity.data?.items.length ? (
            <Table>
              <tbody className="divide-y divide-slate-100">
                {activity.data.items.map((a) => (
                  <tr key={a.id}>
                    <Td className="w-full">
                      <span className={a.outcome === "failure" ? "font-medium text-red-700" : "text-slate-800"}>{actionLabel(a.action)}</span>{" "}
                      <span className="text-slate-500">{a.targetLabel}</span>
                      {a.outcome === "failure" && <p className="text-xs text-red-600">{a.message}</p>}
                    </Td>
                    <Td className="whitespace-nowrap text-xs text-slate-500">{a.actor}</Td>
                    <Td className="whitespace-nowrap text-xs text-slate-500">{formatRelative(a.createdAt)}</Td>
                    <Td>{a.outcome === "failure" ? <Badge tone="danger">failed</Badge> : <Badge tone="success">ok</Badge>}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : (
            <p className="px-5 py-8 text-center text-sm text-slate-500">{activity.isLoading ? "Loading…" : "No activity yet."}</p>
          )}
        </Card>
      </div>
    </>
  );
}
