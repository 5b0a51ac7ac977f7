import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { overdueAlerts } from "@/server/db/schema";
import { countLiveWorkers } from "@/server/jobs/worker-presence";
import { deliverPendingWithoutWorker } from "@/server/notifications/deliver-without-worker";
import { notifyOverdue } from "@/server/notifications/notify";
import type { PluginHost } from "@/server/plugins/host";
import { findOverdueEnvironments, type OverdueEnvironment } from "./find-overdue";

/** The (environment, slot) pairs among `overdue` already alerted: most checks of a period find them all so. */
async function alreadyAlerted(db: DbOrTx, overdue: OverdueEnvironment[]): Promise<Set<string>> {
  if (overdue.length === 0) return new Set();
  const rows = await db.execute<{ environment_id: string; slot: string }>(sql`
    select a.environment_id, a.slot
    from unnest(${`{${overdue.map((o) => o.environmentId).join(",")}}`}::uuid[], ${`{${overdue.map((o) => o.slot.toISOString()).join(",")}}`}::timestamptz[]) as d(environment_id, slot)
    join overdue_alerts a on a.environment_id = d.environment_id and a.slot = d.slot`);
  return new Set(rows.map((r) => `${r.environment_id}@${new Date(r.slot).toISOString()}`));
}

export type OverdueCheck = { overdue: number; alerted: number; delivered: number };

/**
 * The dead-man check: every overdue environment (see find-overdue.ts) gets one "overdue" notification per
 * period. It runs in every web process and every worker; the (environment, slot) unique index of overdue_alerts
 * decides which process sends, and the alert and its deliveries are recorded in one transaction. With no worker
 * alive, this process delivers the pending notifications itself. `now` is the clock, for tests.
 */
export async function checkOverdue(db: DbOrTx, plugins: PluginHost, now: Date = new Date()): Promise<OverdueCheck> {
  const overdue = await findOverdueEnvironments(db, now);
  const known = await alreadyAlerted(db, overdue);
  let alerted = 0;
  for (const found of overdue.filter((o) => !known.has(`${o.environmentId}@${o.slot.toISOString()}`))) {
    await db.transaction(async (tx) => {
      const [alert] = await tx
        .insert(overdueAlerts)
        .values({ orgId: found.orgId, environmentId: found.environmentId, slot: found.slot, reason: found.reason, detail: found.detail, createdAt: now })
        .onConflictDoNothing({ target: [overdueAlerts.environmentId, overdueAlerts.slot] })
        .returning({ id: overdueAlerts.id });
      if (!alert) return;
      alerted += 1;
      await notifyOverdue(tx, alert.id);
    });
  }
  const delivered = (await countLiveWorkers(db)) === 0 ? await deliverPendingWithoutWorker(db, plugins) : 0;
  return { overdue: overdue.length, alerted, delivered };
}
