import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { CHUNK_SIZE } from "@/server/backups/chunk-hashes";
import { signManifest } from "@/server/backups/manifest-signature";
import { backupArtifacts, backups, notificationDeliveries, restoreDrills } from "@/server/db/schema";
import { createBackup } from "@/server/services/backup-lifecycle";
import { getBackup } from "@/server/services/backups";
import { putOverride } from "@/server/services/backup-policies";
import { createNotificationChannel } from "@/server/services/notification-channels";
import { getDrill, listDrills, requestDrill } from "@/server/services/restore-drills";
import { enqueueDueDrills } from "@/server/schedules/enqueue-due-drills";
import { createBackupSetup, createPostgresEnvironment, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { createOdooClient, createOdooEnvironment, databasesLike, type OdooClient } from "../helpers/restore-env";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let owner: Principal;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
let pg: Awaited<ReturnType<typeof createClientDatabase>>;
let odoo: OdooClient;
let pgEnvironment: { id: string };
let odooEnvironment: { id: string };
const plugins = builtinPluginHost();

function clientUrl(): string {
  const url = new URL(adminDatabaseUrl());
  Object.assign(url, { username: pg.user, password: pg.password, pathname: `/${pg.database}` });
  return url.toString();
}

async function backupNow(environmentId: string) {
  const created = await createBackup(t.db, owner, { environmentId, name: "", notes: "", includeFilestore: true, retention: "daily" });
  const done = await waitForBackup(t.db, owner, created.id);
  expect(done, done.error ?? "").toMatchObject({ status: "completed", verified: true });
  return done;
}

async function drillNow(environmentId: string) {
  const queued = await requestDrill(t.db, owner, environmentId);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const drill = await getDrill(t.db, owner, queued.id);
    if (drill.status === "completed" || drill.status === "failed") return drill;
    if (Date.now() > deadline) throw new Error(`drill ${queued.id} still ${drill.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function artifactsOf(backupId: string) {
  const rows = await t.db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, backupId));
  return { database: rows.find((a) => a.kind === "database")!, manifest: rows.find((a) => a.kind === "manifest")! };
}

function chunkHashes(bytes: Buffer): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK_SIZE) chunks.push(createHash("sha256").update(bytes.subarray(at, at + CHUNK_SIZE)).digest("hex"));
  return chunks;
}

/**
 * Stands in for a backup whose content differs from what it recorded: what the test changes is written to storage
 * with a manifest signed again by this console (so the drill gets past the manifest and checksum checks) and the
 * catalog updated to match, as if the backup had been taken that way.
 */
async function rewriteBackup(backupId: string, change: { dump?: (sql: string) => string; proof?: (proof: { tables: Record<string, number> }) => void }) {
  const { database, manifest } = await artifactsOf(backupId);
  const manifestPath = path.join(setup.storageDir, manifest.key);
  const { signature: _signature, ...body } = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  if (change.dump) {
    const databasePath = path.join(setup.storageDir, database.key);
    const stored = gzipSync(Buffer.from(change.dump(gunzipSync(fs.readFileSync(databasePath)).toString("utf8"))));
    fs.writeFileSync(databasePath, stored);
    const sha256 = createHash("sha256").update(stored).digest("hex");
    const entry = body.artifacts.find((a: { kind: string }) => a.kind === "database");
    Object.assign(entry, { size: stored.length, sha256, chunks: chunkHashes(stored) });
    await t.db.update(backupArtifacts).set({ size: stored.length, sha256 }).where(eq(backupArtifacts.id, database.id));
  }
  change.proof?.(body.proof);
  const text = Buffer.from(`${JSON.stringify(signManifest(body), null, 2)}\n`);
  fs.writeFileSync(manifestPath, text);
  await t.db.update(backupArtifacts).set({ size: text.length, sha256: createHash("sha256").update(text).digest("hex") }).where(eq(backupArtifacts.id, manifest.id));
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Drills"));
  setup = await createBackupSetup(t.db, plugins, owner);
  pg = await createClientDatabase({ createdb: true });
  const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`
    create table partner (id serial primary key, name text);
    insert into partner (name) select 'partner ' || g from generate_series(1, 2500) g;
    insert into partner (name) values (E'a line\\nbreak'), (E'a backslash \\\\. inside'), (E'\\\\.');
    create schema "Sales";
    create table "Sales"."Order Line" (id int, note text);
    insert into "Sales"."Order Line" select g, repeat('x', g % 50) from generate_series(1, 777) g;
    create table empty_one (id int);`);
  await sql.end();
  pgEnvironment = await createPostgresEnvironment(t.db, plugins, owner, setup, pg);
  odoo = await createOdooClient();
  odooEnvironment = await createOdooEnvironment(t.db, plugins, owner, setup, odoo, "odoo");
  worker = await startTestWorker(t);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await odoo?.drop();
  await pg?.drop();
  await t?.drop();
});

describe("restore drills on a real PostgreSQL server", () => {
  it("records each table's rows from the dump's COPY blocks while the backup streams, in the manifest and on the backup", async () => {
    const backup = await backupNow(pgEnvironment.id);
    const expected = { "public.partner": 2503, '"Sales"."Order Line"': 777, "public.empty_one": 0 };
    const [row] = await t.db.select({ proof: backups.proof }).from(backups).where(eq(backups.id, backup.id));
    expect(row!.proof).toEqual({ tables: expected });
    const manifest = JSON.parse(fs.readFileSync(path.join(setup.storageDir, (await artifactsOf(backup.id)).manifest.key), "utf8"));
    expect(manifest.proof).toEqual({ tables: expected });
  });

  it("passes on a PostgreSQL environment: every table's rows equal the backup's, and the scratch database is dropped", async () => {
    const drill = await drillNow(pgEnvironment.id);
    expect(drill, drill.error ?? "").toMatchObject({ status: "completed", error: null });
    expect(drill.checks).toEqual([
      { check: "database loaded", ok: true, detail: expect.stringContaining("ON_ERROR_STOP") },
      { check: "row counts", ok: true, detail: "3 tables, 3,280 rows: every count equals the backup's" },
    ]);
    expect(await databasesLike("safehold_drill_")).toEqual([]);
    // The backup shows it was restore-tested, when.
    expect((await getBackup(t.db, owner, drill.backupId!)).restoreTestedAt).toBe(drill.finishedAt);
    // The environment's own database was never touched.
    const sql = postgres(clientUrl(), { max: 1, onnotice: () => {} });
    expect(Number((await sql`select count(*) from partner`)[0]!.count)).toBe(2503);
    await sql.end();
  });

  it("passes on an Odoo environment: rows, filestore files and bytes, base installed and users present", async () => {
    const backup = await backupNow(odooEnvironment.id);
    const [row] = await t.db.select({ proof: backups.proof }).from(backups).where(eq(backups.id, backup.id));
    expect(row!.proof!.filestore!.files).toBeGreaterThan(0);
    expect(row!.proof!.tables!["public.res_users"]).toBeGreaterThan(0);
    const drill = await drillNow(odooEnvironment.id);
    expect(drill, drill.error ?? "").toMatchObject({ status: "completed" });
    expect(drill.checks.map((c) => [c.check, c.ok])).toEqual([
      ["database loaded", true],
      ["row counts", true],
      ["filestore", true],
      ["base module installed", true],
      ["users present", true],
    ]);
    expect(drill.checks[2]!.detail).toBe(`${row!.proof!.filestore!.files} files, ${row!.proof!.filestore!.bytes.toLocaleString("en")} bytes, as recorded`);
    expect(await databasesLike("safehold_drill_")).toEqual([]);
    expect(fs.readdirSync(path.join(odoo.dataDir, "filestore")).filter((f) => f.startsWith("safehold_drill_"))).toEqual([]);
  });

  it("fails on a corrupted artifact, naming the file that does not match", async () => {
    const backup = await backupNow(pgEnvironment.id);
    const file = path.join(setup.storageDir, (await artifactsOf(backup.id)).database.key);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const drill = await drillNow(pgEnvironment.id);
    expect(drill).toMatchObject({ status: "failed", failureKind: "verification", error: expect.stringMatching(/^The stored database file is damaged: bytes 0–\d+ \(chunk 1 of 1\) have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… recorded/) });
    expect(drill.checks).toEqual([{ check: "database loaded", ok: false, detail: drill.error }]);
    expect(await databasesLike("safehold_drill_")).toEqual([]);
  });

  it("fails on a missing table, naming the table and both counts, and tells the policy's channels like a failed backup", async () => {
    const channel = await createNotificationChannel(t.db, plugins, owner, { name: "ops hook", notifier: "webhook", config: { url: "http://127.0.0.1:1/hook", format: "json", secret: "s" } });
    await putOverride(t.db, owner, pgEnvironment.id, { notificationChannelIds: [channel.id] });
    const backup = await backupNow(pgEnvironment.id);
    await rewriteBackup(backup.id, { proof: (proof) => void (proof.tables["public.invoice"] = 12) });
    const drill = await drillNow(pgEnvironment.id);
    expect(drill).toMatchObject({ status: "failed", failureKind: "verification" });
    expect(drill.error).toBe("The restored copy differs from the backup: row counts: table public.invoice is missing (the backup recorded 12 rows)");
    expect(await databasesLike("safehold_drill_")).toEqual([]);
    const told = await t.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.subjectId, drill.id));
    expect(told).toMatchObject([{ channelId: channel.id, event: "drill.failed", title: expect.stringMatching(/^Restore drill failed: Client .+ \/ production$/) }]);
  });

  it("fails on a truncated dump: the load refuses a dump that does not end as pg_dump ends it", async () => {
    const backup = await backupNow(pgEnvironment.id);
    // The dump stops in the middle of the partner table's data, as a dump cut short would.
    await rewriteBackup(backup.id, { dump: (dump) => dump.slice(0, dump.indexOf("1000\tpartner 1000\n")) });
    const drill = await drillNow(pgEnvironment.id);
    expect(drill).toMatchObject({ status: "failed" });
    expect(drill.error).toBe(`The database dump is incomplete: it does not end with pg_dump's "dump complete" line`);
    expect(drill.checks).toEqual([{ check: "database loaded", ok: false, detail: drill.error }]);
    expect(await databasesLike("safehold_drill_")).toEqual([]);
  });

  it("runs on the policy's schedule, once per slot, in the environment's queue", async () => {
    await putOverride(t.db, owner, pgEnvironment.id, { drill: { enabled: true, schedule: "0 4 * * 0", serverId: null } });
    // The policy just changed: its past slots never run.
    expect(await enqueueDueDrills(t.db, new Date())).toEqual({ enqueued: 0 });
    const nextSunday = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    expect(await enqueueDueDrills(t.db, nextSunday)).toEqual({ enqueued: 1 });
    expect(await enqueueDueDrills(t.db, nextSunday)).toEqual({ enqueued: 0 });
    const scheduled = await t.db.select().from(restoreDrills).where(and(eq(restoreDrills.environmentId, pgEnvironment.id)));
    expect(scheduled.filter((d) => d.scheduledFor !== null)).toHaveLength(1);
    const { items } = await listDrills(t.db, owner, { environmentId: pgEnvironment.id, limit: 20 });
    expect(items[0]).toMatchObject({ scheduled: true });
  });
});
