import Link from "next/link";
import type { ReactNode } from "react";
import { formatBytes } from "@/app/_lib/format";
import type { Dashboard } from "./types";

function Tile({ label, href, children, footer }: { label: string; href: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Link href={href} className="flex flex-col rounded-lg bg-white p-5 shadow-xs ring-1 ring-slate-200 transition hover:ring-brand-500">
      <p className="text-sm font-medium text-slate-500">{label}</p>
      <div className="mt-1 flex-1">{children}</div>
      <div className="mt-3 text-xs text-slate-500">{footer}</div>
    </Link>
  );
}

function complianceTone(percent: number): { text: string; bar: string } {
  if (percent >= 95) return { text: "text-emerald-700", bar: "bg-emerald-500" };
  if (percent >= 80) return { text: "text-amber-700", bar: "bg-amber-500" };
  return { text: "text-red-700", bar: "bg-red-500" };
}

const WAITING = { text: "text-slate-700", bar: "bg-slate-400" };

/**
 * Backup compliance: the share of environments with backups enabled that have a recent successful backup. When the
 * only ones without are new environments whose first run is still ahead, nothing failed: the figure stays neutral.
 */
function ComplianceTile({ compliance, environments, awaitingFirstRun }: Pick<Dashboard, "compliance" | "environments" | "awaitingFirstRun">) {
  const { percent, compliant, enabled } = compliance;
  if (percent === null) {
    return (
      <Tile label="Backup compliance" href="/settings/backups" footer="Enable backups in Settings › Backups or in an environment's policy.">
        <p className="text-4xl font-semibold text-slate-300">–</p>
        <p className="mt-1 text-sm text-slate-600">{environments.total === 0 ? "No environments yet" : "No environment has backups enabled"}</p>
      </Tile>
    );
  }
  const onlyWaiting = awaitingFirstRun > 0 && awaitingFirstRun === enabled - compliant;
  const tone = onlyWaiting ? WAITING : complianceTone(percent);
  const footer = awaitingFirstRun > 0 ? `${awaitingFirstRun} awaiting their first scheduled backup; disabled environments don't count.` : `${enabled} with backups enabled; disabled environments don't count.`;
  return (
    <Tile label="Backup compliance" href="#needs-attention" footer={footer}>
      <p className={`text-4xl font-semibold tabular-nums ${tone.text}`} data-testid="compliance-percent">
        {percent}%
      </p>
      <p className="mt-1 text-sm text-slate-600">
        <span className="font-medium text-slate-900 tabular-nums">{compliant}</span> of <span className="tabular-nums">{enabled}</span> recently backed up
      </p>
      <div className="mt-3 h-1.5 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label="Backup compliance" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <div className={`h-full rounded-full ${tone.bar}`} style={{ width: `${percent}%` }} />
      </div>
    </Tile>
  );
}

/** Proven restorable: the share of environments with restore drills enabled whose latest drill passed within its period. */
function ProvenRestorableTile({ proven: summary }: { proven: Dashboard["provenRestorable"] }) {
  const { percent, proven, enabled } = summary;
  if (percent === null) {
    return (
      <Tile label="Proven restorable" href="/settings/backups" footer="Turn on restore drills in Settings › Backups or in an environment's policy.">
        <p className="text-4xl font-semibold text-slate-300">–</p>
        <p className="mt-1 text-sm text-slate-600">No environment has restore drills enabled</p>
      </Tile>
    );
  }
  const tone = complianceTone(percent);
  return (
    <Tile label="Proven restorable" href="#needs-attention" footer={`${enabled} with restore drills enabled; a drill restores the latest backup into a scratch copy and checks it.`}>
      <p className={`text-4xl font-semibold tabular-nums ${tone.text}`} data-testid="proven-restorable-percent">
        {percent}%
      </p>
      <p className="mt-1 text-sm text-slate-600">
        <span className="font-medium text-slate-900 tabular-nums">{proven}</span> of <span className="tabular-nums">{enabled}</span> passed their latest drill
      </p>
      <div className="mt-3 h-1.5 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label="Proven restorable" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
        <div className={`h-full rounded-full ${tone.bar}`} style={{ width: `${percent}%` }} />
      </div>
    </Tile>
  );
}

/** The figures at the top of the dashboard: compliance, proven restorable, failures of the last 24 hours, environments, storage used. */
export function SummaryTiles({ dashboard }: { dashboard: Dashboard }) {
  const { failuresLast24h, environments, storage } = dashboard;
  const used = storage.reduce((sum, s) => sum + s.usedBytes, 0);
  const kept = storage.reduce((sum, s) => sum + s.backups, 0);
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
      <ComplianceTile compliance={dashboard.compliance} environments={environments} awaitingFirstRun={dashboard.awaitingFirstRun} />
      <ProvenRestorableTile proven={dashboard.provenRestorable} />
      <Tile label={"Failures (24\u00a0h)"} href="/backups?status=failed" footer={failuresLast24h > 0 ? "Backups and restores · view failed backups →" : "Backups and restores"}>
        <p className={`text-4xl font-semibold tabular-nums ${failuresLast24h > 0 ? "text-red-700" : "text-slate-900"}`} data-testid="failures-24h">
          {failuresLast24h}
        </p>
        <p className="mt-1 text-sm text-slate-600">{failuresLast24h === 0 ? "Nothing failed" : failuresLast24h === 1 ? "operation failed" : "operations failed"}</p>
      </Tile>
      <Tile label="Environments" href="/projects" footer={`${environments.total - environments.enabled} with backups disabled`}>
        <p className="text-4xl font-semibold text-slate-900 tabular-nums">{environments.total}</p>
        <p className="mt-1 text-sm text-slate-600">
          <span className="tabular-nums">{environments.protected}</span> protected · <span className="tabular-nums">{environments.enabled}</span> enabled
        </p>
      </Tile>
      <Tile label="Storage used" href="/settings/storage" footer={`${storage.length} ${storage.length === 1 ? "location" : "locations"}`}>
        <p className="text-4xl font-semibold text-slate-900 tabular-nums">{formatBytes(used)}</p>
        <p className="mt-1 text-sm text-slate-600">
          <span className="tabular-nums">{kept.toLocaleString()}</span> completed {kept === 1 ? "backup" : "backups"}
        </p>
      </Tile>
    </div>
  );
}

/** The tiles' outline while the dashboard loads, so the page does not jump when it arrives. */
export function SummaryTilesSkeleton() {
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5" aria-busy="true" aria-label="Loading the dashboard">
      {[0, 1, 2, 3, 4].map((i) => (
        <div key={i} className="h-40 animate-pulse rounded-lg bg-white p-5 shadow-xs ring-1 ring-slate-200">
          <div className="h-3 w-24 rounded bg-slate-100" />
          <div className="mt-3 h-8 w-20 rounded bg-slate-100" />
          <div className="mt-3 h-3 w-32 rounded bg-slate-100" />
        </div>
      ))}
    </div>
  );
}
