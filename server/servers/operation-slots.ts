import { and, eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { serverOperationLeases, servers } from "@/server/db/schema";
import { runnerIsAlive } from "@/server/jobs/worker-presence";

/**
 * Each server runs at most `maxConcurrentOperations` backups, restores and drills at once, whichever worker
 * process runs them. A run takes a slot in the transaction that claims it, with the server's row locked, so two
 * workers never both take the last one; it gives the slot back in the transaction that ends it. A slot whose
 * worker process is gone, or whose run is no longer running, does not count, so a killed worker never blocks
 * its server. A run that finds no slot free keeps its place in line (oldest first) while it waits.
 */
export type OperationKind = "backup" | "restore" | "drill";

/** How long a waiting run keeps its place in line without asking again (well over its longest wait between asks). */
const WAITING_FRESH_SECONDS = 60;
/** Waiting rows nobody asked about for this long (their run was deleted or ended while it waited) are removed. */
const WAITING_FORGOTTEN_HOURS = 1;

export type SlotOutcome = { taken: true } | { taken: false; ahead: number };

/** True while the run the lease `l` is about is still running (a leftover lease of an ended run never counts). */
const leaseRunIsRunning = sql`case l.run_kind
  when 'backup' then exists (select 1 from backups b where b.id = l.run_id and b.status in ('in_progress', 'uploading'))
  when 'restore' then exists (select 1 from restores r where r.id = l.run_id and r.status = 'in_progress')
  else exists (select 1 from restore_drills d where d.id = l.run_id and d.status = 'in_progress')
end`;

/**
 * Takes one of the server's slots for the run, or records it as waiting in line. Call it in the transaction that
 * claims the run: the server's row stays locked until that transaction ends.
 */
export async function takeOperationSlot(tx: DbOrTx, serverId: string, kind: OperationKind, runId: string, runnerId: string | null): Promise<SlotOutcome> {
  const [server] = await tx.select({ limit: servers.maxConcurrentOperations }).from(servers).where(eq(servers.id, serverId)).for("update");
  // A deleted server: the run fails on its own when it finds no server, nothing to count.
  if (!server) return { taken: true };
  // Inside a transaction PostgreSQL answers from the activity snapshot taken at its first look: ask afresh.
  await tx.execute(sql`select pg_stat_clear_snapshot()`);
  const [mine] = await tx
    .select({ queuedAt: serverOperationLeases.queuedAt })
    .from(serverOperationLeases)
    .where(and(eq(serverOperationLeases.runKind, kind), eq(serverOperationLeases.runId, runId)));
  const place = mine?.queuedAt ?? new Date();
  const [counts] = await tx.execute<{ running: number; ahead: number }>(sql`
    select
      count(*) filter (where l.state = 'running' and ${runnerIsAlive(sql`l.runner_id`)} and ${leaseRunIsRunning})::int as running,
      count(*) filter (where l.state = 'waiting' and l.checked_at > now() - make_interval(secs => ${WAITING_FRESH_SECONDS}) and l.queued_at < ${place.toISOString()}::timestamptz)::int as ahead
    from server_operation_leases l
    where l.server_id = ${serverId} and not (l.run_kind = ${kind} and l.run_id = ${runId})`);
  const running = counts?.running ?? 0;
  const ahead = counts?.ahead ?? 0;
  const taken = running + ahead < server.limit;
  const now = new Date();
  await tx
    .insert(serverOperationLeases)
    .values({ serverId, runKind: kind, runId, state: taken ? "running" : "waiting", runnerId: taken ? runnerId : null, queuedAt: place, checkedAt: now })
    .onConflictDoUpdate({
      target: [serverOperationLeases.runKind, serverOperationLeases.runId],
      set: { serverId, state: taken ? "running" : "waiting", runnerId: taken ? runnerId : null, checkedAt: now },
    });
  return taken ? { taken } : { taken, ahead };
}

/** Gives the run's slot (or its place in line) back; in the transaction that ends or re-queues the run. */
export async function releaseOperationSlot(tx: DbOrTx, kind: OperationKind, runId: string): Promise<void> {
  await tx.delete(serverOperationLeases).where(and(eq(serverOperationLeases.runKind, kind), eq(serverOperationLeases.runId, runId)));
}

/** Forgets places in line nobody asked about for a while (the run was deleted or ended while it waited). */
export async function pruneForgottenWaits(db: DbOrTx): Promise<number> {
  const removed = await db
    .delete(serverOperationLeases)
    .where(and(eq(serverOperationLeases.state, "waiting"), lt(serverOperationLeases.checkedAt, sql`now() - make_interval(hours => ${WAITING_FORGOTTEN_HOURS})`)))
    .returning({ runId: serverOperationLeases.runId });
  return removed.length;
}

/**
 * When a waiting run asks again: the first in line after 3 s, those further back a second later per run ahead
 * (at most 20 s), so a long line does not lock the server's row many times a second to learn nothing new.
 */
export function nextSlotCheck(ahead: number, now = Date.now()): Date {
  return new Date(now + Math.min(3 + ahead, 20) * 1000);
}

/** The phase a run shows while it waits for one of its server's slots. */
export function waitingPhase(ahead: number): string {
  return ahead > 0 ? `waiting for server capacity (${ahead} ahead)` : "waiting for server capacity";
}
