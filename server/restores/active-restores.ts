import { and, asc, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { restores } from "@/server/db/schema";

/** Restores of these environments that are queued or running: the environment is locked for maintenance. */
export async function activeRestores(db: DbOrTx, environmentIds: string[]) {
  if (environmentIds.length === 0) return [];
  return db
    .select({ id: restores.id, environmentId: restores.targetEnvironmentId, status: restores.status, createdAt: restores.createdAt })
    .from(restores)
    .where(and(inArray(restores.targetEnvironmentId, environmentIds), inArray(restores.status, ["pending", "in_progress"])))
    .orderBy(asc(restores.createdAt));
}
