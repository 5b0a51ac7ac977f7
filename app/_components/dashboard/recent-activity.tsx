"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge, Card, Table, Td } from "@/app/_components/ui/layout";
import { actionLabel } from "@/app/_lib/action-label";
import { formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** The last few entries of the activity log, failures in red with their message. */
export function RecentActivity() {
  const trpc = useTRPC();
  const activity = useQuery(trpc.activity.list.queryOptions({ limit: 8 }));
  return (
    <Card title="Recent activity" actions={<Link href="/activity" className="text-sm font-medium text-brand-700 hover:underline">View all</Link>} padded={false}>
      {activity.data?.items.length ? (
        <Table>
          <tbody className="divide-y divide-slate-100">
            {activity.data.items.map((a) => (
              <tr key={a.id}>
                <Td className="w-full">
                  <span className={a.outcome === "failure" ? "font-medium text-red-700" : "text-slate-800"}>{actionLabel(a.action)}</span>{" "}
                  <span className="text-slate-500">{a.targetLabel}</span>
                  {a.outcome === "failure" && <p className="text-xs text-red-600">{a.message}</p>}
                  <p className="max-w-md truncate text-xs text-slate-400" title={a.actor}>
                    {a.actor}
                  </p>
                </Td>
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
  );
}
