import { Badge, type Tone } from "@/app/_components/ui/layout";
import { STAGE_LABEL } from "@/app/_lib/format";
import type { EnvironmentHealth, EnvironmentStatus } from "./types";

/** Worst first, as the server orders them; a first run still ahead is neutral, not an alarm. */
export const STATUS: Record<EnvironmentStatus, { label: string; tone: Tone; dot: string }> = {
  failing: { label: "Failing", tone: "danger", dot: "bg-red-500" },
  overdue: { label: "Overdue", tone: "warning", dot: "bg-amber-500" },
  never_ran: { label: "Never ran", tone: "warning", dot: "bg-amber-400" },
  first_run_scheduled: { label: "First run scheduled", tone: "neutral", dot: "bg-slate-300" },
  ok: { label: "OK", tone: "success", dot: "bg-emerald-500" },
  disabled: { label: "Backups off", tone: "neutral", dot: "bg-slate-200 ring-1 ring-inset ring-slate-400" },
};

export function StatusBadge({ status }: { status: EnvironmentStatus | null }) {
  if (status === null) return <Badge tone="neutral">No environments</Badge>;
  return <Badge tone={STATUS[status].tone}>{STATUS[status].label}</Badge>;
}

/** One dot per environment, worst first, each named (with its status) for hover and screen readers. */
export function StatusDots({ environments }: { environments: EnvironmentHealth[] }) {
  return (
    <ul className="flex flex-wrap items-center gap-1" aria-label="Environments">
      {environments.map((e) => {
        const label = `${e.name} (${STAGE_LABEL[e.stage] ?? e.stage}): ${STATUS[e.status].label}`;
        return (
          <li key={e.environmentId} title={label} className="flex">
            <span className={`size-2.5 rounded-full ${STATUS[e.status].dot} ${e.activeBackup ? "animate-pulse" : ""}`} aria-hidden />
            <span className="sr-only">{label}</span>
          </li>
        );
      })}
    </ul>
  );
}
