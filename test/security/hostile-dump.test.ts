import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/console-process";
import { createClientDatabase, createTestDatabase, databaseUrlFor, type TestDatabase } from "../helpers/database";
import {
  backupViaApi,
  createPostgresEnvironmentViaApi,
  databaseSnapshot,
  freshCopiesLeft,
  psqlUnchecked,
  restoreOriginalViaApi,
  startSecurityConsole,
  storedFile,
  type ApiBackup,
  type ClientDatabase,
  type SecurityConsole,
} from "../helpers/security-console";

// The pg_dump meta-command injection class (CVE-2025-8714 / 8715, fixed in 13.22, 14.19, 15.14, 16.10, 17.6 by
// `\restrict`): a client database whose owner is hostile makes its own dump carry a psql meta-command, which runs
// on the restore target when the dump is loaded. The console runs with a pg_dump that, like those before the fix,
// writes no `\restrict` lines (test/fixtures/bin/pre-restrict), so only the console's own lock can stop it.
//
// pg_dump 15.20 quotes and sanitises object names, so a name holding a newline and `\! touch` is inert by itself
// (it is in the database below and must load as data); what pg_dump still writes verbatim is what the server
// hands it, such as a view's definition. The client's superuser (an Odoo image's `odoo` role often is one) can
// make that definition anything, which is the hostile-server case `\restrict` was made for.
let t: TestDatabase;
let c: SecurityConsole;
let client: ClientDatabase;
let backup: ApiBackup;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-hostile-dump-"));
const marker = path.join(work, "pwned");
const PRE_RESTRICT_PG_DUMP = path.join(ROOT, "test/fixtures/bin/pre-restrict");

beforeAll(async () => {
  t = await createTestDatabase();
  c = await startSecurityConsole(t, { PATH: `${PRE_RESTRICT_PG_DUMP}:${process.env.PATH}` });
  client = await createClientDatabase({ createdb: true });
  const owner = postgres({ host: client.host, port: client.port, user: client.user, password: client.password, database: client.database, max: 1, onnotice: () => {} });
  await owner.unsafe(`create table "notes\n\\! touch ${marker}\n" (id int primary key, body text)`);
  await owner.unsafe(`insert into "notes\n\\! touch ${marker}\n" values (1, E'line\\n\\\\! touch ${marker}')`);
  await owner.unsafe("create view totals as select 1 as total");
  await owner.end();
  // The client server's superuser rewrites what the server says a view is: pg_dump writes it as given.
  const superuser = postgres(databaseUrlFor(client.database), { max: 1, onnotice: () => {} });
  await superuser.unsafe(`create or replace function pg_catalog.pg_get_viewdef(oid) returns text language sql as $$ select E' SELECT 1 AS total;\\n\\\\! touch ${marker}\\n' $$`);
  await superuser.end();
  backup = await backupViaApi(c, await createPostgresEnvironmentViaApi(c, client));
  expect(backup, backup.error ?? "").toMatchObject({ status: "completed", verified: true });
});

afterAll(async () => {
  await c?.stop();
  await client?.drop();
  await t?.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a dump made hostile by the client database it was taken from", () => {
  it("is stored as a pg_dump wrote it before 15.14: no \\restrict, and a meta-command on a line of its own", () => {
    const text = gunzipSync(fs.readFileSync(storedFile(c, backup, "database"))).toString("utf8");
    expect(text.startsWith("--\n-- PostgreSQL database dump\n--\n")).toBe(true);
    expect(text).not.toMatch(/^\\restrict /m);
    expect(text).toContain(`\n\\! touch ${marker};\n`);
  });

  it("runs its command when loaded with plain psql (the weakened setting)", async () => {
    await psqlUnchecked(client, storedFile(c, backup, "database"));
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);
  });

  it("fails to restore through the console without running it, and leaves the target as it was", async () => {
    const before = await databaseSnapshot(client);
    const restore = await restoreOriginalViaApi(c, backup.id);
    expect(restore.status).toBe("failed");
    expect(restore.error).toMatch(/^psql refused a meta-command in the database dump \(dump line \d+\): pg_dump writes none besides its own \\restrict lines, so the dump was not loaded/);
    expect(restore.swappedAt).toBeNull();
    expect(fs.existsSync(marker)).toBe(false);
    expect(await databaseSnapshot(client)).toEqual(before);
    expect(await freshCopiesLeft(client)).toEqual([]);
  });
});
