import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import { databaseUrl } from "@/server/db";

// One WorkerUtils (and so one pool) per process, cached on globalThis across dev reloads.
const globalForJobs = globalThis as unknown as { __safeholdWorkerUtils?: Promise<WorkerUtils> };

export function getWorkerUtils(): Promise<WorkerUtils> {
  globalForJobs.__safeholdWorkerUtils ??= makeWorkerUtils({ connectionString: databaseUrl() });
  return globalForJobs.__safeholdWorkerUtils;
}

export async function releaseWorkerUtils(): Promise<void> {
  const pending = globalForJobs.__safeholdWorkerUtils;
  globalForJobs.__safeholdWorkerUtils = undefined;
  await (await pending)?.release();
}
