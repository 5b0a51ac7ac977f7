import { eq, sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { restores, type RestoreLogEntry } from "@/server/db/schema";

/** Appends one line to a restore's log (shown on the environment's restore history). */
export async function appendRestoreLog(db: Db, restoreId: string, message: string, level: RestoreLogEntry["level"] = "info"): Promise<void> {
  const entry: RestoreLogEntry = { at: new Date().toISOString(), message, level };
  await db
    .update(restores)
    .set({ log: sql`${restores.log} || ${JSON.stringify([entry])}::jsonb` })
    .where(eq(restores.id, restoreId));
}
