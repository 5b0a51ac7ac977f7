import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { overdueAlerts } from "@/server/db/schema";
import { countLiveWorkers } from "@/server/jobs/worker-presence";
import { deliverPendingWithoutWorker } from "@/server/notifications/deliver-without-worker";
import { queueOverdueDeliveries } from "@/server/notifications/notify";
import { overdueTitle } from "@/server/notifications/overdue-message";
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

/** Alerts recorded per transaction. */
const INSERT_CHUNK = 2000;

export type OverdueCheck = { overdue: number; alerted: number; delivered: number };

/**
 * The dead-man check: every overdue environment (see find-overdue.ts) gets one "overdue" notification per
 * period. It runs in every web process and every worker; the (environment, slot) unique index of overdue_alerts
 * decides which process sends, and alerts and their deliveries are recorded together, in bulk. With no worker
 * alive, this process delivers the pending notifications itself. `now` is the clock, for tests.
 */
export async function checkOverdue(db: DbOrTx, plugins: PluginHost, now: Date = new Date()): Promise<OverdueCheck> {
  const overdue = await findOverdueEnvironments(db, now);
  const known = await alreadyAlerted(db, overdue);
  // In one order everywhere: processes recording the same alerts at once then wait on each other, never deadlock.
  const fresh = overdue.filter((o) => !known.has(`${o.environmentId}@${o.slot.toISOString()}`)).sort((a, b) => (a.environmentId < b.environmentId ? -1 : a.environmentId > b.environmentId ? 1 : 0));
  let alerted = 0;
  for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
    const chunk = fresh.slice(i, i + INSERT_CHUNK);
    await db.transaction(async (tx) => {
      // Another process may have recorded some of these meanwhile: only the rows inserted here are told here.
      const inserted = await tx
        .insert(overdueAlerts)
        .values(chunk.map((o) => ({ orgId: o.orgId, environmentId: o.environmentId, slot: o.slot, reason: o.reason, detail: o.detail, createdAt: now })))
        .onConflictDoNothing({ target: [overdueAlerts.environmentId, overdueAlerts.slot] })
        .returning({ id: overdueAlerts.id, environmentId: overdueAlerts.environmentId });
      const byEnvironment = new Map(chunk.map((o) => [o.environmentId, o]));
      await queueOverdueDeliveries(
        tx,
        inserted.map((row) => {
          const o = byEnvironment.get(row.environmentId)!;
          return { alertId: row.id, orgId: o.orgId, title: overdueTitle(o.projectName, o.environmentName), notifyOnFailure: o.notify.notifyOnFailure, channelIds: o.notify.notificationChannelIds };
        }),
      );
      alerted += inserted.length;
    });
  }
  const delivered = (await countLiveWorkers(db)) === 0 ? await deliverPendingWithoutWorker(db, plugins) : 0;
  return { overdue: overdue.length, alerted, delivered };
}
