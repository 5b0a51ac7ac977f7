"use client";

import { useQuery } from "@tanstack/react-query";
import { CheckCircle2, Circle } from "lucide-react";
import Link from "next/link";
import { DailyChart } from "@/app/_components/dashboard/daily-chart";
import { NonCompliantList } from "@/app/_components/dashboard/non-compliant-list";
import { OverdueList } from "@/app/_components/dashboard/overdue-list";
import { RecentActivity } from "@/app/_components/dashboard/recent-activity";
import { StorageUsage } from "@/app/_components/dashboard/storage-usage";
import { SummaryTiles, SummaryTilesSkeleton } from "@/app/_components/dashboard/summary-tiles";
import { UpcomingRuns } from "@/app/_components/dashboard/upcoming-runs";
import { FailuresReachNoOne } from "@/app/_components/notifications/failures-reach-no-one";
import { Card, PageHeader } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";

const REFRESH_MS = 60_000;

export function DashboardView() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.overview.get.queryOptions());
  const dashboard = useQuery(trpc.dashboard.get.queryOptions({}, { refetchInterval: REFRESH_MS }));
  const o = overview.data;
  const d = dashboard.data;
  const steps = [
    { done: (o?.storageLocations ?? 0) > 0, label: "Add a storage location", detail: "Where backups are kept, such as a folder on this host.", href: "/settings/storage" },
    { done: (o?.servers ?? 0) > 0, label: "Add a server", detail: "Where your client environments run, starting with this host.", href: "/servers" },
    { done: (o?.projects ?? 0) > 0, label: "Create a project", detail: "One per client.", href: "/projects" },
    { done: (o?.environments ?? 0) > 0, label: "Add an environment", detail: "A database (and its files) on a server: production, staging…", href: "/projects" },
  ];
  const gettingStarted = o !== undefined && !steps.every((s) => s.done);

  return (
    <>
      <PageHeader title="Dashboard" description="Which environments are protected, what failed, and what runs next." />
      {!d && (
        <QueryState query={dashboard} what="the dashboard" loading={<SummaryTilesSkeleton />}>
          {() => null}
        </QueryState>
      )}
      {d && (
        <>
          <div className="mb-6 empty:hidden">
            <FailuresReachNoOne />
          </div>
          <SummaryTiles dashboard={d} />
          <OverdueList dashboard={d} />
          <div className="mt-6 grid gap-6 lg:grid-cols-5">
            {gettingStarted && (
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
            <NonCompliantList dashboard={d} className={gettingStarted ? "lg:col-span-3" : "lg:col-span-5"} />
          </div>
          <div className="mt-6 grid items-start gap-6 lg:grid-cols-5">
            <div className="space-y-6 lg:col-span-3">
              <DailyChart daily={d.daily} />
              <RecentActivity />
            </div>
            <div className="space-y-6 lg:col-span-2">
              <UpcomingRuns upcoming={d.upcoming} windows={d.upcomingWindows} />
              <StorageUsage storage={d.storage} />
            </div>
          </div>
        </>
      )}
    </>
  );
}
