import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

export type BackupItem = inferRouterOutputs<AppRouter>["backups"]["list"]["items"][number];

const ACTIVE = new Set(["pending", "in_progress", "uploading"]);

export function isActive(backup: Pick<BackupItem, "status">): boolean {
  return ACTIVE.has(backup.status);
}

/** A second copy still being made (or waiting to be retried). */
function copying(backup: Pick<BackupItem, "copies">): boolean {
  return backup.copies.some((c) => c.status === "pending" || c.status === "copying");
}

/** While any backup on screen is queued or running, or its copies are being made, lists refresh every 2 s so progress shows without a reload. */
export function refreshWhileActive(query: { state: { data?: { pages?: Array<{ items: BackupItem[] }>; items?: BackupItem[] } } }): number | false {
  const data = query.state.data;
  const items = data?.pages ? data.pages.flatMap((p) => p.items) : (data?.items ?? []);
  return items.some((b) => isActive(b) || copying(b)) ? 2000 : false;
}
