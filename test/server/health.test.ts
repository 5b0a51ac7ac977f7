import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/server/db";
import { joinWorkerPresence } from "@/server/jobs/worker-presence";
import { checkHealth } from "@/server/observability/health";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { freePort } from "../helpers/ports";

/** /healthz's verdict: what a load balancer or orchestrator is told, naming only what failed. */
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.drop();
});

describe("health", () => {
  it("is unavailable without a worker, and ok while one is present", async () => {
    expect(await checkHealth(t.db)).toEqual({ status: "unavailable", failed: ["workers"], database: "reachable", workers: 0 });
    const presence = await joinWorkerPresence(t.url);
    try {
      expect(await checkHealth(t.db)).toEqual({ status: "ok", failed: [], database: "reachable", workers: 1 });
    } finally {
      await presence.leave();
    }
  });

  it("names the database when it does not answer", async () => {
    const unreachable = createDb(`postgres://safehold@127.0.0.1:${await freePort()}/safehold`, { max: 1 });
    try {
      expect(await checkHealth(unreachable.db)).toEqual({ status: "unavailable", failed: ["database"], database: "unreachable", workers: null });
    } finally {
      await unreachable.close();
    }
  });
});
