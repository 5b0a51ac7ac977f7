import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createBackup } from "@/server/services/backup-lifecycle";
import { listBackups } from "@/server/services/backups";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { fillTrickyData } from "../helpers/tricky-data";

const plugins = builtinPluginHost();
let t: TestDatabase;
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;

beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: client.user, password: client.password, pathname: `/${client.database}` });
  await fillTrickyData(url.toString(), 1_000_000);
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Queue"));
});

afterAll(async () => {
  await client?.drop();
  await t?.drop();
});

type Interval = { start: number; end: number };
const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

describe("one operation per environment at a time", () => {
  it("runs two backups of one environment one after the other, while another environment's runs alongside", async () => {
    const setup = await createBackupSetup(t.db, plugins, owner);
    const first = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "first");
    const second = await createPostgresEnvironment(t.db, plugins, owner, setup, client, "second");
    const request = (environmentId: string) => createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "daily" });
    const [a1, a2, b1] = await Promise.all([request(first.id), request(first.id), request(second.id)]);

    // Queued, each pending backup knows its place in its environment's queue.
    const listed = await listBackups(t.db, owner, { limit: 10 });
    const place = Object.fromEntries(listed.items.map((b) => [b.id, b.queuePosition]));
    expect([place[a1.id], place[a2.id]].sort()).toEqual([0, 1]);
    expect(place[b1.id]).toBe(0);

    const worker = await startTestWorker(t, 4);
    try {
      const done = await Promise.all([a1, a2, b1].map((b) => waitForBackup(t.db, owner, b.id)));
      for (const b of done) expect(b).toMatchObject({ status: "completed", verified: true });
      const [i1, i2, j1] = done.map((b) => ({ start: Date.parse(b.startedAt!), end: Date.parse(b.finishedAt!) }));
      expect(overlaps(i1!, i2!)).toBe(false);
      expect(overlaps(j1!, i1!) || overlaps(j1!, i2!)).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
