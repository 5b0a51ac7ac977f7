import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@safehold/plugin-api";
import { artifactStream } from "@safehold/plugin-helpers";
import { toolFailure } from "@safehold/postgres-tools";
import { isTransientFailure } from "@/server/jobs/transient-failure";
import type { ManagedServer, SourceContribution } from "@/server/plugins/contracts";
import { PluginHost } from "@/server/plugins/host";
import { manageServer } from "@/server/servers/managed-server";
import { adminDatabaseUrl, createClientDatabase, databaseUrlFor } from "../helpers/database";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";

/**
 * A dump whose connection the server drops half-way (a restart in the night, an administrator's kill) fails as
 * "try again later", so a scheduled backup is retried; pg_dump prints no SQLSTATE, so its words decide.
 */
const host = new PluginHost(BUILTIN_PLUGINS);
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let connection: Awaited<ReturnType<Awaited<ReturnType<PluginHost["serverKind"]>>["connect"]>>;
let server: ManagedServer;
let source: SourceContribution;

beforeAll(async () => {
  client = await createClientDatabase();
  const owner = postgres(databaseUrlFor(client.database), { max: 1, onnotice: () => {} });
  await owner.unsafe(`create table held (id int primary key); insert into held values (1); grant all on held to ${client.user}`);
  await owner.end();
  connection = await (await host.serverKind("local")).connect({});
  server = manageServer(connection, { name: "this host", allowedRoots: [], databasePattern: null, programs: {} });
  source = await host.source("postgres");
});

afterAll(async () => {
  await connection?.close();
  await client?.drop();
});

describe("pg_dump losing its connection", () => {
  it("fails the backup as retryable when the server terminates the dump's connection", async () => {
    const admin = postgres(adminDatabaseUrl(), { max: 2, onnotice: () => {} });
    const locker = postgres(databaseUrlFor(client.database), { max: 1, onnotice: () => {} });
    try {
      // The table is locked before the dump starts, so pg_dump waits on its lock: the moment to drop its connection.
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const lock = locker.begin(async (tx) => {
        await tx`lock table held in access exclusive mode`;
        locked();
        await waitFor(async () => (await admin`select count(*)::int as n from pg_stat_activity where application_name = 'safehold-backup' and wait_event_type = 'Lock'`)[0]!.n === 1);
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'safehold-backup'`;
      });
      await isLocked;
      const config = { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database };
      const backup = await source.backup({ config, server, includeFilestore: false, signal: new AbortController().signal, log: silentLogger });
      const failure = (async () => {
        for await (const artifact of backup.artifacts) await pipeline(artifactStream(artifact), new Writable({ write: (_chunk, _encoding, done) => done() }));
      })().then(() => expect.unreachable("the dump completed"), (err: unknown) => err);
      await lock;
      const err = await failure;
      expect(err).toMatchObject({ message: expect.stringMatching(/^pg_dump failed \(exit code 1\): .*terminating connection due to administrator command/) });
      expect(isTransientFailure("source", err)).toBe(true);
    } finally {
      await locker.end();
      await admin.end();
    }
  });

  it("tells a lost, refused or full server from a failure that trying again will not fix", () => {
    const retryable = (stderr: string) => isTransientFailure("source", toolFailure("pg_dump failed", stderr));
    expect(retryable("pg_dump: error: Dumping the contents of table \"t\" failed: PQgetCopyData() failed.\npg_dump: detail: Error message from server: server closed the connection unexpectedly")).toBe(true);
    expect(retryable('pg_dump: error: connection to server at "10.0.0.5", port 5432 failed: Connection refused')).toBe(true);
    expect(retryable("pg_dump: error: connection to server failed: FATAL:  the database system is starting up")).toBe(true);
    expect(retryable("pg_dump: error: connection to server failed: FATAL:  sorry, too many clients already")).toBe(true);
    expect(retryable('pg_dump: error: query failed: ERROR:  permission denied for table "secrets"')).toBe(false);
    expect(retryable("pg_dump: error: aborting because of server version mismatch")).toBe(false);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for pg_dump to wait on the lock");
    await new Promise((r) => setTimeout(r, 50));
  }
}
