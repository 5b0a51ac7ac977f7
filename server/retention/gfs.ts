import type { BACKUP_TYPES, RETENTION_CLASSES } from "@/server/db/schema";
import type { Policy } from "@/server/policies/policy-fields";

export type RetentionCandidate = {
  id: string;
  type: (typeof BACKUP_TYPES)[number];
  retentionClass: (typeof RETENTION_CLASSES)[number];
  /** When the backup was taken: its schedule slot for a scheduled backup, else its creation. */
  takenAt: Date;
  /** Set for non-scheduled backups: their chosen class ends then (null: permanent). */
  expiresAt: Date | null;
  /** Pinned by an operator: kept whatever the rules say. */
  pinned?: boolean;
  /** A pre-upgrade backup not yet released: kept whatever the rules say. */
  held?: boolean;
};

export const KEEP_REASONS = ["newest", "permanent", "daily", "weekly", "monthly", "yearly", "class", "pinned", "held", "archived"] as const;
export type KeepReason = (typeof KEEP_REASONS)[number];

export type RetentionDecision = { id: string; keep: boolean; reasons: KeepReason[] };

type Bucket = "daily" | "weekly" | "monthly" | "yearly";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an instant in a time zone, as [year, month (1–12), day]. */
function localDate(at: Date, timezone: string): [number, number, number] {
  // Building a formatter costs far more than using one, and a retention pass dates every completed backup.
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timezone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return [get("year"), get("month"), get("day")];
}

/** The ISO-8601 week (Monday first) of a calendar date, as "YYYY-Www". */
function isoWeek([y, m, d]: [number, number, number]): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The candidates newest first, each with its pinned / held reasons already given. */
function newestFirst(candidates: RetentionCandidate[]) {
  const sorted = [...candidates].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.id < b.id ? 1 : -1));
  const reasons = new Map<string, KeepReason[]>(sorted.map((c) => [c.id, [...(c.pinned ? ["pinned" as const] : []), ...(c.held ? ["held" as const] : [])]]));
  return { sorted, reasons };
}

/**
 * The backups of an environment destroyed and archived with its backups kept until `until` (null: permanently):
 * GFS, classes and "newest" no longer apply. Every backup is kept until then and none after, but pinned and held ones.
 */
export function decideArchivedRetention(candidates: RetentionCandidate[], until: Date | null, now: Date): RetentionDecision[] {
  const { sorted, reasons } = newestFirst(candidates);
  const kept = until === null || until > now;
  return sorted.map((c) => {
    const why = reasons.get(c.id)!;
    if (kept) why.push("archived");
    return { id: c.id, keep: why.length > 0, reasons: why };
  });
}

function bucketKeys(at: Date, timezone: string): Record<Bucket, string> {
  const date = localDate(at, timezone);
  const [y, m, d] = date;
  return { daily: `${y}-${m}-${d}`, weekly: isoWeek(date), monthly: `${y}-${m}`, yearly: `${y}` };
}

/**
 * Grandfather-father-son retention over an environment's completed backups. Scheduled backups: for each of
 * the last N days (weeks, months, years) that have a backup, the newest of that period is kept, N being the
 * policy's keep count, with periods in the policy's time zone. Other backups keep their chosen class until
 * its expiry; permanent ones always. The newest completed backup is always kept, whatever the rules say.
 * Pinned and held backups are kept whatever the rules say.
 */
export function decideRetention(candidates: RetentionCandidate[], policy: Pick<Policy, "retention" | "timezone">, now: Date): RetentionDecision[] {
  const { sorted, reasons } = newestFirst(candidates);
  if (sorted[0]) reasons.get(sorted[0].id)!.unshift("newest");

  const scheduled = sorted.filter((c) => c.type === "scheduled").map((c) => ({ id: c.id, keys: bucketKeys(c.takenAt, policy.timezone) }));
  for (const bucket of ["daily", "weekly", "monthly", "yearly"] as const) {
    const seen = new Set<string>();
    for (const c of scheduled) {
      if (seen.size >= policy.retention[bucket]) break;
      const key = c.keys[bucket];
      if (seen.has(key)) continue;
      seen.add(key);
      reasons.get(c.id)!.push(bucket);
    }
  }
  for (const c of sorted) {
    if (c.type === "scheduled") continue;
    if (c.retentionClass === "permanent") reasons.get(c.id)!.push("permanent");
    else if (c.expiresAt === null || c.expiresAt > now) reasons.get(c.id)!.push("class");
  }
  return sorted.map((c) => ({ id: c.id, keep: reasons.get(c.id)!.length > 0, reasons: reasons.get(c.id)! }));
}
