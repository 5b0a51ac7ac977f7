import { and, eq, inArray, sql } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import type { Db, DbOrTx } from "@/server/db";
import { backups, restoreDrills, restores, type RunLogEntry } from "@/server/db/schema";
import type { FailureKind } from "@/shared/enum-values";
import { notifyBackupFinished, notifyDrillFinished, notifyRestoreFinished } from "@/server/notifications/notify";
import { recordActivity, type ActivityEntry } from "@/server/services/activity";
import { createLogger, type PluginLogger } from "@safehold/plugin-api";
import { RunFailure, oneLine } from "./run-failure";
import { RunProgress, type ProgressSnapshot } from "./run-progress";
import { requeueRun } from "./requeue-run";
import { currentRunnerId } from "./worker-presence";
import { nextSlotCheck, releaseOperationSlot, takeOperationSlot, waitingPhase } from "@/server/servers/operation-slots";

/**
 * The life of a backup, a restore or a restore drill, the same for all: claimed once from `pending`, a heartbeat with its phase
 * and bytes every second, stopped by a worker shutdown or by its row leaving the running state, and ended in
 * one transaction that sets its final status, records the activity and queues its notifications (an outbox:
 * a worker that dies after the run ended cannot lose them, and none is sent for a run that did not end).
 */
export type RunKind = "backup" | "restore" | "drill";

const RUNNING = { backup: ["in_progress", "uploading"], restore: ["in_progress"], drill: ["in_progress"] } as const;
const TABLE = { backup: backups, restore: restores, drill: restoreDrills } as const;

async function updateRun(db: DbOrTx, kind: RunKind, id: string, values: Record<string, unknown>, onlyWhile: readonly string[]) {
  const table = TABLE[kind];
  return db
    .update(table)
    .set(values)
    .where(and(eq(table.id, id), inArray(table.status, onlyWhile as never[])))
    .returning({ id: table.id });
}

/** Appends one line to a run's log (shown with the backup or on the environment's restore history). */
export async function appendRunLog(db: DbOrTx, kind: RunKind, id: string, message: string, level: RunLogEntry["level"] = "info"): Promise<void> {
  const table = TABLE[kind];
  const entry: RunLogEntry = { at: new Date().toISOString(), message, level };
  await db
    .update(table)
    .set({ log: sql`${table.log} || ${JSON.stringify([entry])}::jsonb` })
    .where(eq(table.id, id));
}

export type Wording = { shutdown: string; stopped: string };

/**
 * Where a run's job lives and which server it works on. With a server, the run takes one of that server's slots
 * when it is claimed (see server/servers/operation-slots.ts); null for a step of another operation that waits
 * for it (a restore's safety backup, a destroy's final backup): such a step never waits in line.
 */
export type RunPlace = { environmentId: string; serverId: string | null };

function progressAt(phase: string): ProgressSnapshot {
  return { phase, bytes: 0, updatedAt: new Date().toISOString() };
}

export class Run {
  readonly abort = new AbortController();
  readonly progress: RunProgress;
  private readonly onShutdown: () => void;

  private constructor(
    private readonly db: Db,
    readonly kind: RunKind,
    readonly id: string,
    private readonly shutdown: AbortSignal,
    wording: Wording,
    private readonly place: RunPlace | undefined,
  ) {
    this.progress = new RunProgress(
      async (snapshot, heartbeatAt) => (await updateRun(db, kind, id, { progress: snapshot, heartbeatAt }, RUNNING[kind])).length > 0,
      () => this.abort.abort(new RunFailure("stopped", wording.stopped)),
    );
    this.onShutdown = () => this.abort.abort(new RunFailure("shutdown", wording.shutdown));
  }

  /**
   * Claims a pending run and starts its heartbeat; null when it is not pending (a job run twice, or one already
   * failed), or when its server has no free slot: the run then stays pending, shows that it waits, and its job
   * is queued again to ask a few seconds later (freeing this worker for other servers' work meanwhile).
   */
  static async claim(db: Db, kind: RunKind, id: string, shutdown: AbortSignal, wording: Wording, place?: RunPlace): Promise<Run | null> {
    const runnerId = currentRunnerId();
    const claimed = await db.transaction(async (tx) => {
      if (place?.serverId) {
        const slot = await takeOperationSlot(tx, place.serverId, kind, id, runnerId);
        if (!slot.taken) {
          const waiting = await updateRun(tx, kind, id, { progress: progressAt(waitingPhase(slot.ahead)) }, ["pending"]);
          if (waiting.length > 0) await requeueRun(tx, kind, id, place.environmentId, nextSlotCheck(slot.ahead));
          else await releaseOperationSlot(tx, kind, id);
          return false;
        }
      }
      // Read once the slot is taken: a run's start is never before the end of the run whose slot it took.
      const now = new Date();
      const rows = await updateRun(tx, kind, id, { status: "in_progress", startedAt: now, heartbeatAt: now, runnerId, progress: { phase: "starting", bytes: 0, updatedAt: now.toISOString() } }, ["pending"]);
      if (rows.length === 0) await releaseOperationSlot(tx, kind, id);
      return rows.length > 0;
    });
    if (!claimed) return null;
    const run = new Run(db, kind, id, shutdown, wording, place);
    shutdown.addEventListener("abort", run.onShutdown, { once: true });
    run.progress.start();
    return run;
  }

  /** Appends a line to this run's log. */
  log(message: string, level: RunLogEntry["level"] = "info"): Promise<void> {
    return appendRunLog(this.db, this.kind, this.id, message, level);
  }

  /**
   * The logger a plugin gets for this run: its lines land in the run's log; `debug` lines only in the process
   * log, and only with SAFEHOLD_PLUGIN_DEBUG=1.
   */
  pluginLogger(debug: PluginLogger): PluginLogger {
    return createLogger((level, line) => {
      if (level === "debug") debug.debug(line);
      else void this.log(line, level).catch(() => {});
    });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** What a failure was and why: a stop from outside wins over the error it caused inside the run. */
  failure(err: unknown): { kind: FailureKind; message: string } {
    const cause = this.abort.signal.aborted ? this.abort.signal.reason : err;
    return { kind: cause instanceof RunFailure ? cause.kind : "source", message: oneLine(cause) };
  }

  /** Ends the run as completed, with its activity and notifications, in one transaction. */
  async complete(values: Record<string, unknown>, actor: Principal, activity: ActivityEntry, within?: (tx: DbOrTx) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await within?.(tx);
      const ended = await updateRun(tx, this.kind, this.id, { ...values, status: "completed", finishedAt: new Date(), progress: this.progress.snapshot("completed") }, RUNNING[this.kind]);
      await releaseOperationSlot(tx, this.kind, this.id);
      if (ended.length === 0) return;
      await recordActivity(tx, actor, activity);
      await queueRunNotifications(tx, this.kind, this.id);
    });
  }

  /** Ends the run as failed (`snapshot`: its progress as left), with its activity and notifications, in one transaction. */
  async fail(failure: { kind: FailureKind; message: string }, actor: Principal, activity: ActivityEntry, snapshot: ProgressSnapshot = this.progress.snapshot()): Promise<void> {
    await this.db.transaction(async (tx) => {
      const ended = await updateRun(tx, this.kind, this.id, { status: "failed", error: failure.message, failureKind: failure.kind, finishedAt: new Date(), progress: snapshot }, RUNNING[this.kind]);
      await releaseOperationSlot(tx, this.kind, this.id);
      await recordActivity(tx, actor, { ...activity, outcome: "failure", message: failure.message });
      if (ended.length > 0) await queueRunNotifications(tx, this.kind, this.id);
    });
  }

  /**
   * Puts the run back to `pending`, to be tried again at `runAt` by a new job under the same key, and gives its
   * server slot back, in one transaction; `values` are written with it (e.g. the next attempt's number). False
   * when the run cannot be queued again (it has no place, or it already left its running state).
   */
  async retryAt(runAt: Date, phase: string, values: Record<string, unknown>): Promise<boolean> {
    const place = this.place;
    if (!place) return false;
    return await this.db.transaction(async (tx) => {
      const rows = await updateRun(tx, this.kind, this.id, { ...values, status: "pending", runnerId: null, progress: progressAt(phase) }, RUNNING[this.kind]);
      if (rows.length === 0) return false;
      await releaseOperationSlot(tx, this.kind, this.id);
      await requeueRun(tx, this.kind, this.id, place.environmentId, runAt);
      return true;
    });
  }

  /** Stops the heartbeat and the shutdown watch; the caller closes its own connections. */
  end(): void {
    this.progress.stop();
    this.shutdown.removeEventListener("abort", this.onShutdown);
  }
}

/** Queues the notifications of a run that just ended, in the transaction that ended it. */
export function queueRunNotifications(tx: DbOrTx, kind: RunKind, id: string): Promise<number> {
  if (kind === "drill") return notifyDrillFinished(tx, id);
  return kind === "backup" ? notifyBackupFinished(tx, id) : notifyRestoreFinished(tx, id);
}
