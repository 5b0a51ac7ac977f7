import type { RETENTION_CLASSES } from "@/server/db/schema";

export type RetentionClass = (typeof RETENTION_CLASSES)[number];

/** GFS defaults (PRODUCT): daily 7, weekly 4, monthly 12, yearly 2. */
export const DEFAULT_KEEP = { daily: 7, weekly: 4, monthly: 12, yearly: 2 } as const;

/** When a backup of this class expires; permanent backups never do. */
export function expiryFor(retentionClass: RetentionClass, from: Date, keep: { daily: number; weekly: number; monthly: number; yearly: number } = DEFAULT_KEEP): Date | null {
  const at = new Date(from);
  switch (retentionClass) {
    case "daily":
      at.setUTCDate(at.getUTCDate() + keep.daily);
      return at;
    case "weekly":
      at.setUTCDate(at.getUTCDate() + 7 * keep.weekly);
      return at;
    case "monthly":
      at.setUTCMonth(at.getUTCMonth() + keep.monthly);
      return at;
    case "yearly":
      at.setUTCFullYear(at.getUTCFullYear() + keep.yearly);
      return at;
    case "permanent":
      return null;
  }
}
