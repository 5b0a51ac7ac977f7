import { z } from "zod";
import type { DbOrTx } from "@/server/db";
import { countLiveWorkers } from "@/server/jobs/worker-presence";

export const workerStatusOutput = z.object({
  /** Worker processes running now (console-wide): with none, scheduled backups and restores are not processed. */
  running: z.number(),
});

export async function getWorkerStatus(db: DbOrTx): Promise<z.infer<typeof workerStatusOutput>> {
  return { running: await countLiveWorkers(db) };
}
