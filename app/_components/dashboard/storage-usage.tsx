import { HardDrive } from "lucide-react";
import Link from "next/link";
import { Card, EmptyState } from "@/app/_components/ui/layout";
import { DEDUP_EXPLAINED } from "@/app/_lib/dedup";
import { formatBytes } from "@/app/_lib/format";
import type { Dashboard } from "./types";

/** What the completed backups take in each storage location, with a bar relative to the largest. */
export function StorageUsage({ storage }: { storage: Dashboard["storage"] }) {
  const largest = Math.max(...storage.map((s) => s.usedBytes), 1);
  return (
    <Card
      title="Storage used"
      description="Completed backups per storage location; each filestore file counts once, however many backups hold it."
      actions={<Link href="/settings/storage" className="text-sm font-medium text-brand-700 hover:underline">Manage</Link>}
    >
      {storage.length === 0 ? (
        <EmptyState icon={<HardDrive className="size-6" />} title="No storage location yet" />
      ) : (
        <ul className="space-y-4">
          {storage.map((s) => (
            <li key={s.storageLocationId}>
              <div className="flex items-baseline justify-between gap-3 text-sm">
                <span className="min-w-0 truncate font-medium text-slate-900" title={s.name}>
                  {s.name} <span className="font-normal text-slate-400">· {s.provider}</span>
                </span>
                <span className="shrink-0 text-slate-700 tabular-nums">{formatBytes(s.usedBytes)}</span>
              </div>
              <div className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
                <div className="h-full rounded-full bg-brand-500" style={{ width: `${(s.usedBytes / largest) * 100}%` }} />
              </div>
              <p className="mt-1 text-xs text-slate-500 tabular-nums">
                {s.backups.toLocaleString()} {s.backups === 1 ? "backup" : "backups"}
                {s.dedupSavedBytes > 0 && (
                  <span title={DEDUP_EXPLAINED}>
                    {" "}
                    · {formatBytes(s.dedupSavedBytes)} saved by deduplication
                  </span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
