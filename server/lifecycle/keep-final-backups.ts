import type { KeepFinalBackups } from "@/shared/enum-values";

/** Until when the final backups of an environment destroyed at `from` are kept; null: permanently. */
export function keepBackupsUntil(keep: KeepFinalBackups, from: Date): Date | null {
  const until = new Date(from);
  switch (keep) {
    case "90_days":
      until.setUTCDate(until.getUTCDate() + 90);
      return until;
    case "1_year":
      until.setUTCFullYear(until.getUTCFullYear() + 1);
      return until;
    case "permanent":
      return null;
  }
}

export const KEEP_FINAL_LABELS: Record<KeepFinalBackups, string> = { "90_days": "for 90 days", "1_year": "for 1 year", permanent: "permanently" };
