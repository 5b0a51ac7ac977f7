import { asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { notificationDeliveries } from "@/server/db/schema";
import { enqueueJob } from "@/server/jobs/enqueue";
import type { PluginHost } from "@/server/plugins/host";
import { deliverNotification } from "./deliver";
import { DELIVERY_ATTEMPTS, deliveryJobKey } from "./notify";

/** Deliveries sent per call at most; the rest wait for the next call. */
const BATCH = 50;

/**
 * Takes a delivery's job away from the queue: true when this process now owns the delivery. graphile-worker's
 * remove_job deletes a job nobody holds, and disarms one a (gone) worker held, so two processes never both own it.
 */
async function takeOverJob(db: DbOrTx, deliveryId: string): Promise<boolean> {
  const [row] = await db.execute<{ id: string | null }>(sql`select (j).id::text as id from (select graphile_worker.remove_job(${deliveryJobKey(deliveryId)}::text) as j) taken`);
  return Boolean(row?.id);
}

/**
 * Sends the pending notifications itself, for a process that found no worker alive: "overdue" notifications
 * matter most exactly when no worker runs the `notify/send` jobs. Each delivery is taken over from its job, sent
 * once (deliver.ts) in the transaction that took it over, and on a retryable failure given back to the queue with the attempts it has left, so a
 * worker, or this process's next call, tries it again. Returns how many were sent.
 */
export async function deliverPendingWithoutWorker(db: DbOrTx, plugins: PluginHost): Promise<number> {
  const pending = await db
    .select({ id: notificationDeliveries.id, attempts: notificationDeliveries.attempts })
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.status, "pending"))
    .orderBy(asc(notificationDeliveries.createdAt))
    .limit(BATCH);
  let sent = 0;
  for (const delivery of pending) {
    // One transaction per delivery: should this process die mid-send, the job is back in the queue.
    const outcome = await db.transaction(async (tx) => {
      if (!(await takeOverJob(tx, delivery.id))) return null;
      const attempt = { number: delivery.attempts + 1, max: DELIVERY_ATTEMPTS };
      const result = await deliverNotification(tx, plugins, delivery.id, attempt);
      if (result.status === "retry") {
        await enqueueJob(tx, "notify/send", { deliveryId: delivery.id }, { jobKey: deliveryJobKey(delivery.id), maxAttempts: attempt.max - attempt.number });
      }
      return result;
    });
    if (outcome?.status === "sent") sent += 1;
  }
  return sent;
}
