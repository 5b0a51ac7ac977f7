import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/server/db";
import { countLiveWorkers } from "@/server/jobs/worker-presence";

/** A database that takes longer than this to answer `select 1` counts as unreachable. */
const DATABASE_TIMEOUT_MS = 3000;
/** A worker seen (presence session open, or a heartbeat) within this long counts. */
const WORKER_SEEN_SECONDS = 60;

export type Health = {
  status: "ok" | "unavailable";
  /** What failed, e.g. `["workers"]`; empty when all is well. */
  failed: Array<"database" | "workers">;
  database: "reachable" | "unreachable";
  /** Worker processes seen in the last minute; null when the database could not be asked. */
  workers: number | null;
};

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function workersSeen(db: DbOrTx): Promise<number> {
  const [live, [recent]] = await Promise.all([
    countLiveWorkers(db),
    db.execute<{ count: number }>(sql`select count(*)::int as count from worker_processes where heartbeat_at > now() - make_interval(secs => ${WORKER_SEEN_SECONDS})`),
  ]);
  return Math.max(live, recent?.count ?? 0);
}

/**
 * For load balancers and orchestrators: this process answers, its database answers, and a worker process was seen
 * in the last minute. Names only what failed: no address, version or secret.
 */
export async function checkHealth(db: DbOrTx): Promise<Health> {
  const failed: Health["failed"] = [];
  let workers: number | null = null;
  try {
    workers = await within(workersSeen(db), DATABASE_TIMEOUT_MS);
  } catch {
    failed.push("database");
  }
  if (workers === 0) failed.push("workers");
  return { status: failed.length === 0 ? "ok" : "unavailable", failed, database: workers === null ? "unreachable" : "reachable", workers };
}
