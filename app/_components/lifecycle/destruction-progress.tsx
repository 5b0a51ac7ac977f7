"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { Check, Circle, LoaderCircle } from "lucide-react";
import { Alert } from "@/app/_components/ui/layout";
import { formatBytes } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

export type Destruction = inferRouterOutputs<AppRouter>["lifecycle"]["get"];

const STEPS = [
  { status: "backing_up", label: "Final backup, verified" },
  { status: "destroying", label: "Data removed from the server" },
  { status: "completed", label: "Archived" },
] as const;
const ORDER = ["pending", "backing_up", "destroying", "completed"];

export function isFinished(d: Pick<Destruction, "status">): boolean {
  return d.status === "completed" || d.status === "failed";
}

/** One destroy, live: the final backup's progress, the removal, the archive; what failed, and that nothing was removed before it. */
export function DestructionProgress({ destruction }: { destruction: Destruction }) {
  const trpc = useTRPC();
  const d = useQuery(trpc.lifecycle.get.queryOptions({ id: destruction.id }, { initialData: destruction, refetchInterval: (q) => (q.state.data && isFinished(q.state.data) ? false : 1500) })).data;
  const backup = useQuery(trpc.backups.get.queryOptions({ id: d.backupId ?? "" }, { enabled: Boolean(d.backupId) && d.status === "backing_up", refetchInterval: 1500 })).data;
  const reached = ORDER.indexOf(d.status);
  return (
    <div className="space-y-3" data-destruction={d.id}>
      <p className="text-sm font-medium text-slate-900">{d.label}</p>
      {/* A failed destroy says in its message which step stopped it and what, if anything, was removed. */}
      <ol className={`space-y-2 ${d.status === "failed" ? "hidden" : ""}`}>
        {STEPS.map((step) => {
          const index = ORDER.indexOf(step.status);
          const done = d.status === "completed" || reached > index;
          const running = !done && reached === index;
          return (
            <li key={step.status} className="flex items-center gap-2 text-sm">
              {done ? <Check className="size-4 text-emerald-600" aria-hidden /> : running ? <LoaderCircle className="size-4 animate-spin text-brand-600" aria-hidden /> : <Circle className="size-4 text-slate-300" aria-hidden />}
              <span className={done ? "text-slate-900" : "text-slate-500"}>{step.label}</span>
              {running && step.status === "backing_up" && backup?.progress && (
                <span className="text-xs text-slate-500">
                  {backup.progress.phase} · {formatBytes(backup.progress.bytes)}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {d.status === "pending" && <p className="text-xs text-slate-500">Waiting for the environment&apos;s running backups and restores to finish…</p>}
      {d.status === "completed" && (
        <Alert tone="success" title="Destroyed and archived">
          Removed {d.removed.length ? d.removed.join(", ") : "nothing: its data was already gone"}. Its backups stay readable, restorable and downloadable.
        </Alert>
      )}
      {d.status === "failed" && <Alert tone="danger">{d.error}</Alert>}
    </div>
  );
}
