import { and, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { backups } from "@/server/db/schema";
import { activeRestores } from "@/server/restores/active-restores";

/**
 * For these environments: each queued or running backup's and restore's place in its environment's queue,
 * by request time (0 = running, or next to run). Both kinds share the one queue per environment.
 */
export async function queuePositions(db: DbOrTx, environmentIds: string[]): Promise<Map<string, number>> {
  const ids = [...new Set(environmentIds)];
  const positions = new Map<string, number>();
  if (ids.length === 0) return positions;
  const runningBackups = await db
    .select({ id: backups.id, environmentId: backups.environmentId, createdAt: backups.createdAt })
    .from(backups)
    .where(and(inArray(backups.environmentId, ids), inArray(backups.status, ["pending", "in_progress", "uploading"])));
  const runningRestores = (await activeRestores(db, ids)).map((r) => ({ id: r.id, environmentId: r.environmentId!, createdAt: r.createdAt }));
  const active = [...runningBackups, ...runningRestores].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const seen = new Map<string, number>();
  for (const { id, environmentId } of active) {
    const ahead = seen.get(environmentId) ?? 0;
    positions.set(id, ahead);
    seen.set(environmentId, ahead + 1);
  }
  return positions;
}
