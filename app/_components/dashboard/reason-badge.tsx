import { Badge, type Tone } from "@/app/_components/ui/layout";
import type { NonComplianceReason } from "./types";

const REASONS: Record<NonComplianceReason, { label: string; tone: Tone; hint: string }> = {
  storage_error: { label: "Storage error", tone: "danger", hint: "The newest backup failed while writing to its storage location or reading it back" },
  last_run_failed: { label: "Last backup failed", tone: "danger", hint: "The newest backup failed before reaching storage (source, server or worker)" },
  overdue: { label: "Overdue", tone: "warning", hint: "The last successful backup is older than the schedule's interval plus one hour" },
  no_backup_yet: { label: "No backup yet", tone: "neutral", hint: "No backup of this environment has completed yet" },
};

/** Why an environment with backups enabled is not compliant, in words, with a hint on hover. */
export function ReasonBadge({ reason }: { reason: NonComplianceReason }) {
  const { label, tone, hint } = REASONS[reason];
  return (
    <span title={hint}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}
