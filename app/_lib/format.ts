export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatRelative(iso: string | null | undefined): string {
  if (!iso) return "never";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** How long until a future time: "in 5 min", "in 3 h", "in 2 days". */
export function formatUntil(iso: string): string {
  const minutes = Math.round((new Date(iso).getTime() - Date.now()) / 60_000);
  if (minutes < 1) return "now";
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

/** A calendar day given as "YYYY-MM-DD" (a UTC day), e.g. "Mar 3". */
export function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

export const STAGE_LABEL: Record<string, string> = {
  production: "Production",
  staging: "Staging",
  development: "Development",
  test: "Test",
};

export const ROLE_LABEL: Record<string, string> = { owner: "Owner", admin: "Admin", operator: "Operator", viewer: "Viewer" };

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(startIso: string | null, endIso: string | null): string {
  if (!startIso || !endIso) return "—";
  const seconds = Math.max(0, Math.round((new Date(endIso).getTime() - new Date(startIso).getTime()) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export const BACKUP_STATUS_LABEL: Record<string, string> = {
  pending: "Pending",
  in_progress: "In progress",
  uploading: "Uploading",
  completed: "Completed",
  failed: "Failed",
  expired: "Expired",
};

export const BACKUP_TYPE_LABEL: Record<string, string> = {
  manual: "Manual",
  scheduled: "Scheduled",
  pre_restore: "Pre-restore",
  pre_upgrade: "Pre-upgrade",
  pre_destroy: "Pre-destroy",
  imported: "Imported",
};

/** A time of day with seconds, for log lines. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A moment in full, to the second, for a tooltip beside a relative time. */
export function formatExact(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
