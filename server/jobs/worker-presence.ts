import { randomUUID } from "node:crypto";
import os from "node:os";
import { eq, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { DbOrTx } from "@/server/db";
import { workerProcesses } from "@/server/db/schema";

/**
 * Whether a worker process lives, told by PostgreSQL itself. Each worker process keeps one database session
 * open for its whole life, named `safehold-worker:<id>` (`application_name`). A process that is merely paused
 * (a long GC, a stalled VM, SIGSTOP) keeps its session, because its kernel still answers for the socket; a
 * killed one loses it at once, and one whose host vanished loses it when the TCP keepalives below give up.
 * Runs record the id of the process that claimed them (`runnerId`), and the stale-run reaper frees a run's
 * queue only once that process is gone.
 */

const APPLICATION_NAME_PREFIX = "safehold-worker:";
const HEARTBEAT_MS = 10_000;
/** Rows of processes gone this long (and without a session) are removed by the reaper's housekeeping. */
const GONE_WORKER_ROW_MINUTES = 5;

/**
 * Startup parameters of the presence session. With these, PostgreSQL drops the session of a host that went
 * silent (powered off, cut from the network) within about 30 s: keepalive probes after 10 s without traffic,
 * 4 unanswered probes 5 s apart, and at most 30 s for data it sent to stay unacknowledged (keepalives are not
 * sent while it waits for such an acknowledgement). `idle_session_timeout` is pinned to 0: a paused process
 * sends nothing, and a server-wide idle timeout must not make it look gone.
 */
const PRESENCE_SESSION_PARAMETERS: Record<string, string | number> = {
  tcp_keepalives_idle: 10,
  tcp_keepalives_interval: 5,
  tcp_keepalives_count: 4,
  tcp_user_timeout: 30_000,
  // postgres.js leaves falsy values out of the startup message: "0", not 0.
  idle_session_timeout: "0",
};

/** One id per process: every run it claims, in any database, records it. */
const PROCESS_RUNNER_ID = randomUUID();

export function presenceApplicationName(runnerId: string): string {
  return `${APPLICATION_NAME_PREFIX}${runnerId}`;
}

type Session = { users: number; close: () => Promise<void> };
// One presence session per database this process works for, shared by the workers it runs there.
const sessions = new Map<string, Promise<Session>>();

/**
 * The id that runs claimed by this process record as their runner, or null while the process has no presence
 * (code run outside a worker, such as a test calling a run directly: the reaper treats such a run as one
 * whose runner is gone).
 */
export function currentRunnerId(): string | null {
  return sessions.size > 0 ? PROCESS_RUNNER_ID : null;
}

async function openSession(connectionString: string): Promise<Session> {
  const url = new URL(connectionString);
  // Parameters in the URL's query would override these (postgres.js merges the query last).
  for (const name of ["application_name", ...Object.keys(PRESENCE_SESSION_PARAMETERS)]) url.searchParams.delete(name);
  const client = postgres(url.toString(), {
    max: 1,
    // The one connection stays for the life of the process: never recycled, never closed when idle.
    max_lifetime: null,
    idle_timeout: 0,
    onnotice: () => {},
    connection: { application_name: presenceApplicationName(PROCESS_RUNNER_ID), ...PRESENCE_SESSION_PARAMETERS },
  });
  const db = drizzle(client, { casing: "snake_case" });
  const beat = () =>
    db
      .insert(workerProcesses)
      .values({ id: PROCESS_RUNNER_ID, hostname: os.hostname(), pid: process.pid })
      .onConflictDoUpdate({ target: workerProcesses.id, set: { heartbeatAt: sql`now()` } });
  try {
    await beat();
  } catch (err) {
    await client.end({ timeout: 1 });
    throw err;
  }
  let beating: Promise<unknown> = Promise.resolve();
  let warned = false;
  // Should the connection drop, the next beat opens it again (same name), so the process is soon present again.
  const timer = setInterval(() => {
    beating = beat().then(
      () => (warned = false),
      (err: unknown) => {
        if (!warned) console.warn(`[safehold] Worker presence heartbeat failed: ${(err as Error).message}`);
        warned = true;
      },
    );
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    users: 0,
    close: async () => {
      clearInterval(timer);
      await beating;
      await db
        .delete(workerProcesses)
        .where(eq(workerProcesses.id, PROCESS_RUNNER_ID))
        .catch(() => {});
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * Makes this process present in the database at `connectionString` until `leave` is called (by every worker
 * that joined: workers of one process share the session).
 */
export async function joinWorkerPresence(connectionString: string): Promise<{ runnerId: string; leave: () => Promise<void> }> {
  let pending = sessions.get(connectionString);
  if (!pending) {
    pending = openSession(connectionString);
    sessions.set(connectionString, pending);
    pending.catch(() => sessions.delete(connectionString));
  }
  const session = await pending;
  session.users += 1;
  // Every caller of `leave` (a worker's stop, and its runner ending) waits for the same, single departure.
  let leaving: Promise<void> | undefined;
  const depart = async () => {
    session.users -= 1;
    if (session.users > 0) return;
    sessions.delete(connectionString);
    await session.close();
  };
  return { runnerId: PROCESS_RUNNER_ID, leave: () => (leaving ??= depart()) };
}

/** True while the worker process `runnerId` has its presence session open in this database. */
export async function isRunnerAlive(db: DbOrTx, runnerId: string): Promise<boolean> {
  // Inside a transaction PostgreSQL answers from the activity snapshot taken at its first look: ask afresh.
  await db.execute(sql`select pg_stat_clear_snapshot()`);
  const [row] = await db.execute<{ alive: boolean }>(
    sql`select exists (select 1 from pg_stat_activity where datname = current_database() and application_name = ${presenceApplicationName(runnerId)}) as alive`,
  );
  return row?.alive === true;
}

/** SQL that is true while the worker process whose id is in `runnerId` (a column) has its presence session open. */
export function runnerIsAlive(runnerId: SQL): SQL {
  return sql`exists (select 1 from pg_stat_activity as a where a.datname = current_database() and a.application_name = ${APPLICATION_NAME_PREFIX} || ${runnerId})`;
}

/** Removes the rows of worker processes that have had no session for a while (killed, or their host is gone). */
export async function pruneGoneWorkerProcesses(db: DbOrTx): Promise<number> {
  const removed = await db.execute<{ id: string }>(sql`
    delete from worker_processes as w
    where w.heartbeat_at < now() - make_interval(mins => ${GONE_WORKER_ROW_MINUTES})
      and not exists (
        select 1 from pg_stat_activity as a
        where a.datname = current_database() and a.application_name = ${APPLICATION_NAME_PREFIX} || w.id
      )
    returning w.id`);
  return removed.length;
}

/** How many worker processes (each console runs one) have their presence session open in this database now. */
export async function countLiveWorkers(db: DbOrTx): Promise<number> {
  const [row] = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from pg_stat_activity where datname = current_database() and starts_with(application_name, ${APPLICATION_NAME_PREFIX})`,
  );
  return row?.count ?? 0;
}
