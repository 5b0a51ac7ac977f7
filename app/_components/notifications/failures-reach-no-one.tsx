"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { BellOff } from "lucide-react";
import Link from "next/link";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

type Coverage = inferRouterOutputs<AppRouter>["notificationChannels"]["failureCoverage"];

function environmentList(coverage: Coverage): string {
  const { items, count } = coverage.environments;
  const names = items.slice(0, 3).map((e) => `${e.projectName} / ${e.name}`);
  return count > names.length ? `${names.join(", ")} and ${count - names.length} more` : names.join(", ");
}

/** Why failures reach no one, in one sentence: the default policy, or the environments that override it. */
function reason(coverage: Coverage): string {
  const count = coverage.environments.count;
  const environments = count === 1 ? "1 environment" : `${count} environments`;
  if (coverage.defaultPolicy.reachesNoOne) {
    return `The default backup policy says “Notify on failure” but names no notification channel, so a failed backup of ${count > 0 ? `its ${environments} (${environmentList(coverage)})` : "any environment that follows it"} is never reported.`;
  }
  return `${environments} (${environmentList(coverage)}) ${count === 1 ? "says" : "say"} “Notify on failure” in ${count === 1 ? "its" : "their"} own policy but name no notification channel: a failed backup there is never reported.`;
}

function Warning({ coverage }: { coverage: Coverage }) {
  const { can } = useConsoleSession();
  if (!coverage.defaultPolicy.reachesNoOne && coverage.environments.count === 0) return null;
  return (
    <div role="status" data-failures-reach-no-one className="flex gap-3 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset">
      <BellOff className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
      <div className="min-w-0 space-y-1">
        <p className="font-semibold">Failures reach no one</p>
        <p className="text-amber-800">{reason(coverage)}</p>
        <p className="flex flex-wrap gap-x-4 gap-y-1 font-medium">
          {can("admin") ? (
            <Link href="/settings/notifications" className="text-amber-900 underline underline-offset-2 hover:text-amber-950">
              Add a channel for failures
            </Link>
          ) : (
            <span>An admin adds a channel in Settings › Notifications.</span>
          )}
          {coverage.defaultPolicy.reachesNoOne && (
            <Link href="/settings/backups#notifications" className="text-amber-900 underline underline-offset-2 hover:text-amber-950">
              Choose channels in the default policy
            </Link>
          )}
        </p>
      </div>
    </div>
  );
}

/**
 * The warning shown where backups are watched (the dashboard, the backup policy) while a policy says "Notify on
 * failure" with no channel to tell: nothing when every failure reaches someone. The server decides (failureCoverage).
 */
export function FailuresReachNoOne() {
  const trpc = useTRPC();
  const coverage = useQuery(trpc.notificationChannels.failureCoverage.queryOptions({}));
  return (
    <QueryState query={coverage} what="who hears of failures" loading={null}>
      {() => <Warning coverage={coverage.data!} />}
    </QueryState>
  );
}
