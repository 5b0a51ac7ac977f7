import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { backups } from "@/server/db/schema";
import { joinWorkerPresence } from "@/server/jobs/worker-presence";
import { createBackup } from "@/server/services/backup-lifecycle";
import { updateServer } from "@/server/services/servers";
import { nextSlotCheck, releaseOperationSlot, takeOperationSlot, waitingPhase } from "@/server/servers/operation-slots";
import { createBackupSetup, createPostgresEnvironment, pointProcessAtDatabase } from "../helpers/backup-env";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";

const plugins = builtinPluginHost();
let t: TestDatabase;
let owner: Principal;
let presence: Awaited<ReturnType<typeof joinWorkerPresence>>;

beforeAll(async () => {
  t = await createTestDatabase();
  pointProcessAtDatabase(t);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Slots"));
  presence = await joinWorkerPresence(t.url);
});

afterAll(async () => {
  await presence?.leave();
  await t?.drop();
});

/** A server of limit 1 and `count` pending backups on it (no worker runs them: the test takes their slots itself). */
async function serverWithBackups(count: number) {
  const setup = await createBackupSetup(t.db, plugins, owner);
  await updateServer(t.db, plugins, owner, { id: setup.server.id, maxConcurrentOperations: 1 });
  const unreachable = { host: "127.0.0.1", port: 1, user: "nobody", password: "x", database: "nothing" };
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, unreachable, `env-${i}`);
    ids.push((await createBackup(t.db, owner, { environmentId: environment.id, name: "", notes: "", includeFilestore: true, retention: "daily" })).id);
  }
  return { serverId: setup.server.id, ids };
}

const take = (serverId: string, id: string, runnerId: string | null = presence.runnerId) => t.db.transaction((tx) => takeOperationSlot(tx, serverId, "backup", id, runnerId));
const setStatus = (id: string, status: "in_progress" | "completed") => t.db.update(backups).set({ status }).where(eq(backups.id, id));

describe("a server's operation slots", () => {
  it("gives the freed slot to the run that waited longest, whichever asks first", async () => {
    const { serverId, ids } = await serverWithBackups(3);
    const [a, b, c] = ids as [string, string, string];
    expect(await take(serverId, a)).toEqual({ taken: true });
    await setStatus(a, "in_progress");
    expect(await take(serverId, b)).toEqual({ taken: false, ahead: 0 });
    expect(await take(serverId, c)).toEqual({ taken: false, ahead: 1 });

    await setStatus(a, "completed");
    await releaseOperationSlot(t.db, "backup", a);
    // c asks first, but b has waited longer.
    expect(await take(serverId, c)).toEqual({ taken: false, ahead: 1 });
    expect(await take(serverId, b)).toEqual({ taken: true });
  });

  it("does not count a slot whose worker process is gone, nor one whose run has ended", async () => {
    const { serverId, ids } = await serverWithBackups(3);
    const [a, b, c] = ids as [string, string, string];
    expect(await take(serverId, a, "a-worker-that-was-killed")).toEqual({ taken: true });
    await setStatus(a, "in_progress");
    expect(await take(serverId, b)).toEqual({ taken: true });
    await setStatus(b, "in_progress");
    expect(await take(serverId, c)).toEqual({ taken: false, ahead: 0 });
    // b ended without giving its slot back (it is given back in the transaction that ends a run; here it was not).
    await setStatus(b, "completed");
    expect(await take(serverId, c)).toEqual({ taken: true });
  });

  it("says how far back in line a run is, and makes those further back ask less often", () => {
    expect(waitingPhase(0)).toBe("waiting for server capacity");
    expect(waitingPhase(3)).toBe("waiting for server capacity (3 ahead)");
    expect(nextSlotCheck(0, 0).getTime()).toBe(3000);
    expect(nextSlotCheck(5, 0).getTime()).toBe(8000);
    expect(nextSlotCheck(500, 0).getTime()).toBe(20_000);
  });
});
