import { makeWorkerUtils, type Runner, type WorkerUtils } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { startWorker } from "@/server/jobs/worker";
import { crontab, taskList } from "@/server/jobs/tasks";
import { loginAttempts } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

let t: TestDatabase;
let worker: Runner;
let utils: WorkerUtils;

/** Jobs of the task under test still queued (the worker also queues its own stale-backup checks at start). */
async function jobsLeft(): Promise<Array<{ task_identifier: string; attempts: number; last_error: string | null }>> {
  return t.sql`select task_identifier, attempts, last_error from graphile_worker.jobs where task_identifier = 'maintenance/prune-login-attempts'`;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  resetEnvCache();
  worker = await startWorker({ connectionString: t.url, concurrency: 2 });
  utils = await makeWorkerUtils({ connectionString: t.url });
});

afterAll(async () => {
  await worker?.stop();
  await utils?.release();
  const { closeDb } = await import("@/server/db");
  await closeDb();
  await t.drop();
});

describe("job worker", () => {
  it("names every crontab task in its task list", () => {
    for (const line of crontab.split("\n")) expect(Object.keys(taskList)).toContain(line.trim().split(/\s+/)[5]);
  });

  it("runs a queued job to completion", async () => {
    const old = new Date(Date.now() - 2 * 24 * 3600_000);
    await t.db.insert(loginAttempts).values([
      { email: "a@x.test", ip: null, succeeded: false, createdAt: old },
      { email: "b@x.test", ip: null, succeeded: false },
    ]);
    await utils.addJob("maintenance/prune-login-attempts", {});
    await until(async () => (await jobsLeft()).length === 0);
    expect((await t.sql`select email from login_attempts`).map((r) => r.email)).toEqual(["b@x.test"]);
  });

  it("completes a job with an invalid payload without retrying it", async () => {
    await utils.addJob("maintenance/prune-login-attempts", "not an object" as never);
    await until(async () => (await jobsLeft()).length === 0);
  });
});
