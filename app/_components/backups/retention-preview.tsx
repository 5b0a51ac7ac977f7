"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { Badge, Card, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { BACKUP_TYPE_LABEL, formatDateTime } from "@/app/_lib/format";
import { QueryError } from "@/app/_components/ui/query-state";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";

type Reason = inferRouterOutputs<AppRouter>["backups"]["retentionPreview"]["items"][number]["reasons"][number];

const REASON_LABEL: Record<Reason, string> = {
  newest: "Newest backup",
  permanent: "Permanent",
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  yearly: "Yearly",
  class: "Own retention",
  pinned: "Pinned",
  held: "Held for upgrade",
  archived: "Kept after destroy",
};

const SHOWN = 12;

/** For one environment: which completed backups the current retention policy keeps, in which GFS bucket, and which the next pass expires. */
export function RetentionPreview({ environmentId }: { environmentId: string }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.backups.retentionPreview.queryOptions({ id: environmentId }));
  const [all, setAll] = useState(false);
  const data = preview.data;
  if (preview.isError && !data) {
    return (
      <Card title="Retention preview" padded={false}>
        <QueryError what="the retention preview" error={preview.error} onRetry={preview.refetch} retrying={preview.isRefetching} />
      </Card>
    );
  }
  if (!data || data.items.length === 0) return null;
  const expiring = data.items.filter((i) => !i.keep).length;
  const items = all ? data.items : data.items.slice(0, SHOWN);
  const { daily, weekly, monthly, yearly } = data.retention;
  return (
    <Card
      title="Retention preview"
      description={`With daily ${daily}, weekly ${weekly}, monthly ${monthly}, yearly ${yearly} (${data.timezone}): ${data.items.length - expiring} kept, ${expiring === 0 ? "none expiring" : `${expiring} expire at the next retention pass (every 15 minutes)`}. The newest backup and permanent ones are always kept.`}
      padded={false}
    >
      <Table>
        <TableHead labels={["Taken", "Type", "Kept as"]} />
        <tbody>
          {items.map((item) => (
            <tr key={item.backupId}>
              <Td>
                <span className={item.keep ? "text-slate-900" : "text-slate-400 line-through"}>{formatDateTime(item.takenAt)}</span>
                {item.name && <span className="ml-2 text-xs text-slate-500">{item.name}</span>}
              </Td>
              <Td>{BACKUP_TYPE_LABEL[item.type]}</Td>
              <Td>
                {item.keep ? (
                  <span className="flex flex-wrap gap-1">
                    {item.reasons.map((r) => (
                      <Badge key={r} tone={r === "newest" || r === "permanent" ? "info" : "success"}>
                        {r === "class" && item.expiresAt ? `${REASON_LABEL[r]} until ${formatDateTime(item.expiresAt)}` : REASON_LABEL[r]}
                      </Badge>
                    ))}
                  </span>
                ) : (
                  <Badge tone="warning">Expires at the next pass</Badge>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {data.items.length > SHOWN && (
        <div className="border-t border-slate-100 px-5 py-3 text-center">
          <button type="button" className="text-sm font-medium text-brand-700 hover:underline" onClick={() => setAll(!all)}>
            {all ? "Show fewer" : `Show all ${data.items.length}`}
          </button>
        </div>
      )}
    </Card>
  );
}
