"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { CheckCircle2, FlaskConical, XCircle } from "lucide-react";
import { Button } from "@/app/_components/ui/button";
import { Alert, Badge, Card, EmptyState, Table, Td, type Tone, TableHead } from "@/app/_components/ui/layout";
import { describeSchedule } from "@/app/_components/policies/schedule-presets";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatBytes, formatDateTime } from "@/app/_lib/format";
import { QueryState } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

type DrillItem = inferRouterOutputs<AppRouter>["restoreDrills"]["list"]["items"][number];

const STATUS: Record<DrillItem["status"], { label: string; tone: Tone }> = {
  pending: { label: "Queued", tone: "neutral" },
  in_progress: { label: "Running", tone: "info" },
  completed: { label: "Passed", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
};

const running = (d: DrillItem) => d.status === "pending" || d.status === "in_progress";

function DrillChecks({ drill }: { drill: DrillItem }) {
  if (drill.checks.length === 0) return null;
  return (
    <ul className="space-y-1.5" aria-label="Checks">
      {drill.checks.map((c) => (
        <li key={c.check} className="flex items-start gap-2 text-sm">
          {c.ok ? <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-label="passed" /> : <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-label="failed" />}
          <span>
            <span className="font-medium text-slate-800">{c.check.charAt(0).toUpperCase() + c.check.slice(1)}</span>
            <span className={c.ok ? "text-slate-500" : "text-red-700"}> · {c.detail}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The latest drill in full: status, when, where, every check, the error. */
function LastDrill({ drill }: { drill: DrillItem }) {
  return (
    <div className="space-y-3" data-testid="last-drill">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={STATUS[drill.status].tone}>
          {running(drill) && <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden />}
          {STATUS[drill.status].label}
        </Badge>
        <span className="text-slate-700">{formatDateTime(drill.finishedAt ?? drill.startedAt ?? drill.createdAt)}</span>
        <span className="text-slate-400">·</span>
        <span className="text-slate-500">
          {drill.scheduled ? "scheduled" : "run by hand"}
          {drill.serverName && <> on {drill.serverName}</>}
        </span>
      </div>
      {running(drill) && drill.progress && (
        <p className="text-xs text-slate-500" aria-live="polite">
          {drill.progress.phase} · {formatBytes(drill.progress.bytes)}
        </p>
      )}
      {/* A failed check already says what the error says: shown once, with the check. */}
      {drill.error && !drill.checks.some((c) => !c.ok && drill.error!.includes(c.detail)) && <p className="text-sm text-red-600">{drill.error}</p>}
      <DrillChecks drill={drill} />
    </div>
  );
}

/**
 * Restore drills of an environment: the policy's drill setting, "Run a restore drill now", the last drill with its
 * checks, and the history. Live while one is queued or running.
 */
export function RestoreDrills({ environmentId }: { environmentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const drills = useQuery(trpc.restoreDrills.list.queryOptions({ environmentId, limit: 10 }, { refetchInterval: (q) => (q.state.data?.items.some(running) ? 2000 : false) }));
  const policy = useQuery(trpc.backupPolicies.getEffective.queryOptions({ id: environmentId }));
  const run = useMutation(
    trpc.restoreDrills.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.restoreDrills.list.queryFilter({ environmentId })),
    }),
  );
  const items = drills.data?.items ?? [];
  const [last, ...history] = items;
  const drill = policy.data?.policy.drill;
  const busy = items.some(running);

  return (
    <Card
      title="Restore drills"
      description={
        drill?.enabled
          ? `${describeSchedule(drill.schedule)}: the latest verified backup is restored into a scratch copy, checked against what it recorded, and dropped. This environment is never touched.`
          : "Drills are off in this environment's policy: turn them on under Backup policy, or run one now."
      }
      actions={
        can("operator") && (
          <Button variant="secondary" loading={run.isPending} disabled={busy} title={busy ? "A drill is queued or running" : undefined} onClick={() => run.mutate({ environmentId })}>
            <FlaskConical className="size-4" aria-hidden /> Run a restore drill now
          </Button>
        )
      }
    >
      <div className="space-y-5">
        {run.error && <Alert tone="danger">{errorInfo(run.error)?.message}</Alert>}
        {drills.isPending || drills.isError ? (
          <QueryState query={drills} what="restore drills">
            {() => null}
          </QueryState>
        ) : !last ? (
          <EmptyState icon={<FlaskConical className="size-6" />} title="No restore drill yet">
            A drill restores the latest verified backup into a scratch database and folder, never into this environment, and checks every table&apos;s rows and the filestore against what the backup recorded.
          </EmptyState>
        ) : (
          <>
            <LastDrill drill={last} />
            {history.length > 0 && (
              <div>
                <h3 className="mb-2 text-sm font-medium text-slate-700">Earlier drills</h3>
                <Table>
                  <TableHead labels={["When", "Status", "Checks"]} />
                  <tbody className="divide-y divide-slate-100">
                    {history.map((d) => (
                      <tr key={d.id} className="align-top">
                        <Td className="whitespace-nowrap">{formatDateTime(d.finishedAt ?? d.createdAt)}</Td>
                        <Td>
                          <Badge tone={STATUS[d.status].tone}>{STATUS[d.status].label}</Badge>
                        </Td>
                        <Td className="text-xs text-slate-600">{d.error ?? d.checks.map((c) => c.detail).join(" · ")}</Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </div>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
