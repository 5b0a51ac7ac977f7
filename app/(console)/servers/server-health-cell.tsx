import type { inferRouterOutputs } from "@trpc/server";
import { Badge } from "@/app/_components/ui/layout";
import type { AppRouter } from "@/server/api/root";

export type ServerHealthItem = inferRouterOutputs<AppRouter>["servers"]["health"]["servers"][number];

/** How many environments run on a server, and how many of them fail or are overdue, judged as on the Projects page. */
export function ServerHealthCell({ health }: { health: ServerHealthItem | undefined }) {
  const environments = health?.environments ?? 0;
  if (!health || environments === 0) return <span className="text-sm text-slate-500">No environments</span>;
  return (
    <div className="space-y-1">
      <p className="text-sm tabular-nums text-slate-700">
        {environments} environment{environments === 1 ? "" : "s"}
      </p>
      <div className="flex flex-wrap gap-1">
        {health.failing > 0 && <Badge tone="danger">{health.failing} failing</Badge>}
        {health.overdue > 0 && <Badge tone="warning">{health.overdue} overdue</Badge>}
        {health.failing === 0 && health.overdue === 0 && <Badge tone="success">None failing or overdue</Badge>}
      </div>
    </div>
  );
}
