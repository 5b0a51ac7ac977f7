import Link from "next/link";
import { BACKUP_STATUS_LABEL } from "@/app/_lib/format";
import { BACKUP_STATUSES } from "@/shared/enum-values";
import type { BackupStatus } from "./use-backup-filters";

type Counts = Record<BackupStatus | "total" | "limit", number>;

/** A count as shown on a tab: exact below the API's limit, "10,000+" from it. */
function shown(n: number, limit: number, atLeast = n >= limit): string {
  return `${n.toLocaleString()}${atLeast ? "+" : ""}`;
}

/** One tab per status with how many backups the other filters match, and "All"; each tab is a link to that view. */
export function StatusTabs({ current, counts, hrefFor }: { current: BackupStatus | undefined; counts: Counts | undefined; hrefFor: (status: BackupStatus | undefined) => string }) {
  const capped = counts !== undefined && BACKUP_STATUSES.some((s) => counts[s] >= counts.limit);
  const tabs: Array<{ status: BackupStatus | undefined; label: string; count: string | undefined }> = [
    { status: undefined, label: "All", count: counts && shown(counts.total, counts.limit, capped) },
    ...BACKUP_STATUSES.map((s) => ({ status: s, label: BACKUP_STATUS_LABEL[s]!, count: counts && shown(counts[s], counts.limit) })),
  ];
  return (
    <nav aria-label="Status" className="-mb-px flex flex-wrap gap-1 px-3 sm:flex-nowrap sm:overflow-x-auto">
      {tabs.map((tab) => {
        const active = tab.status === current;
        const empty = tab.count === "0";
        const tone = tab.status === "failed" && !empty && counts ? "bg-red-50 text-red-700" : active ? "bg-brand-50 text-brand-700" : empty ? "bg-slate-50 text-slate-400" : "bg-slate-100 text-slate-600";
        return (
          <Link
            key={tab.label}
            href={hrefFor(tab.status)}
            scroll={false}
            aria-current={active ? "page" : undefined}
            className={`flex shrink-0 items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap transition-colors ${active ? "border-brand-600 text-slate-900" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-800"}`}
          >
            {tab.label}
            <span className={`rounded-full px-2 py-0.5 text-xs tabular-nums ${tone}`}>{tab.count ?? "…"}</span>
          </Link>
        );
      })}
    </nav>
  );
}
