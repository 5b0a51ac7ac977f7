import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { verifyManifestSignature } from "@/server/backups/manifest-signature";
import { createApiToken } from "@/server/services/api-tokens";
import { createBackupSetup, createPostgresEnvironment, listFiles, startTestWorker, waitForBackup } from "../helpers/backup-env";
import { adminDatabaseUrl, createClientDatabase, createTestDatabase, databaseUrlFor, type TestDatabase } from "../helpers/database";
import { builtinPluginHost, createOrgWithMembers } from "../helpers/fixtures";
import { rest } from "../helpers/rest";
import { fillTrickyData, tableChecksums } from "../helpers/tricky-data";

let t: TestDatabase;
let worker: { stop: () => Promise<void> };
let client: Awaited<ReturnType<typeof createClientDatabase>>;
let owner: Principal;
let token: string;
let setup: Awaited<ReturnType<typeof createBackupSetup>>;
const plugins = builtinPluginHost();
const restoredDb = `restored_${Date.now()}`;

function clientUrl(): string {
  const url = new URL(adminDatabaseUrl());
  url.username = client.user;
  url.password = client.password;
  url.pathname = `/${client.database}`;
  return url.toString();
}

beforeAll(async () => {
  t = await createTestDatabase();
  client = await createClientDatabase();
  await fillTrickyData(clientUrl());
  ({ principals: { owner } } = await createOrgWithMembers(t.db, "Round Trip"));
  token = (await createApiToken(t.db, owner, { name: "test" })).token;
  setup = await createBackupSetup(t.db, plugins, owner);
  worker = await startTestWorker(t);
});

afterAll(async () => {
  await worker?.stop();
  const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${restoredDb} with (force)`);
  await admin.end();
  await client?.drop();
  await t?.drop();
});

describe("backup of a real PostgreSQL database over the REST API", () => {
  it("completes, verified, and its dump restores to identical tables", async () => {
    const environment = await createPostgresEnvironment(t.db, plugins, owner, setup, client);
    const created = await rest("POST", `/environments/${environment.id}/backups`, {
      token,
      body: { name: "Before upgrade", notes: "Odoo 17 → 18", retention: "weekly" },
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: "pending", type: "manual", name: "Before upgrade", notes: "Odoo 17 → 18", retentionClass: "weekly", requestedBy: owner.label });
    const id = (created.body as { id: string }).id;

    const done = await waitForBackup(t.db, owner, id);
    expect(done).toMatchObject({ status: "completed", verified: true, error: null, failureKind: null });
    // The run's log says what it stored and that it read every file back.
    const log = ((await rest("GET", `/backups/${id}`, { token })).body as { log: Array<{ message: string; level: string }> }).log;
    expect(log.map((l) => l.message)).toEqual([
      expect.stringMatching(/^Stored the database file: \d+ bytes, sha256 [0-9a-f]{12}…$/),
      "Read every stored file back: each matches what was written",
    ]);
    const fetched = (await rest("GET", `/backups/${id}`, { token })).body as {
      artifacts: Array<{ kind: string; key: string; size: number; sha256: string; fileName: string }>;
      sizeBytes: number;
      sourceMeta: Record<string, unknown>;
    };
    expect(fetched.artifacts.map((a) => a.kind)).toEqual(["database", "manifest"]);
    expect(fetched.artifacts.map((a) => a.fileName)).toEqual([`backup-${id}-database.sql.gz`, `backup-${id}-manifest.json`]);
    expect(fetched.sourceMeta).toMatchObject({ engine: "postgresql", database: client.database, serverVersion: expect.stringMatching(/^15\./) });

    // Stored under <org>/<project>/<environment>/<backup>/, nothing else left behind (no temp files).
    const prefix = `${owner.orgId}/${setup.project.id}/${environment.id}/${id}/`;
    expect(listFiles(setup.storageDir)).toEqual(fetched.artifacts.map((a) => a.key).sort());
    for (const a of fetched.artifacts) expect(a.key.startsWith(prefix)).toBe(true);

    // The manifest's checksums are those of the stored files, as sha256sum computes them.
    const manifest = JSON.parse(fs.readFileSync(path.join(setup.storageDir, fetched.artifacts[1]!.key), "utf8"));
    expect(manifest).toMatchObject({
      backupId: id,
      type: "manual",
      name: "Before upgrade",
      notes: "Odoo 17 → 18",
      requestedBy: { email: owner.label },
      environment: { id: environment.id, name: "production" },
      source: { type: "postgres", engine: "postgresql" },
    });
    const databaseFile = path.join(setup.storageDir, fetched.artifacts[0]!.key);
    const sha256sum = execFileSync("sha256sum", [databaseFile], { encoding: "utf8" }).split(" ")[0];
    // Each 1 MiB chunk has its own sha256, and the console's signature covers them all.
    const stored = fs.readFileSync(databaseFile);
    const chunks = [];
    for (let at = 0; at < stored.length; at += 1024 * 1024) chunks.push(createHash("sha256").update(stored.subarray(at, at + 1024 * 1024)).digest("hex"));
    expect(chunks.length).toBeGreaterThan(1);
    // The content type is what the dump is inside its gzip, as the source declares it.
    expect(manifest.artifacts).toEqual([
      { kind: "database", fileName: `backup-${id}-database.sql.gz`, contentType: "application/sql", contentEncoding: "gzip", compressedOn: "worker", key: fetched.artifacts[0]!.key, size: stored.length, sha256: sha256sum, chunkSize: 1024 * 1024, chunks },
    ]);
    expect(manifest.signature).toEqual({ algorithm: "HMAC-SHA256", value: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyManifestSignature(fs.readFileSync(path.join(setup.storageDir, fetched.artifacts[1]!.key), "utf8"))).not.toBeNull();
    expect(fetched.artifacts[1]!.sha256).toBe(createHash("sha256").update(fs.readFileSync(path.join(setup.storageDir, fetched.artifacts[1]!.key))).digest("hex"));
    expect(fetched.sizeBytes).toBe(fetched.artifacts.reduce((s, a) => s + a.size, 0));

    // gunzip -c | psql into a new database gives the same tables, row for row.
    const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${restoredDb}`);
    await admin.end();
    execFileSync("bash", ["-c", `gunzip -c "${databaseFile}" | psql -q -v ON_ERROR_STOP=1 "${databaseUrlFor(restoredDb)}" > /dev/null`]);
    const [original, restored] = await Promise.all([tableChecksums(clientUrl()), tableChecksums(databaseUrlFor(restoredDb))]);
    expect(original.many!.count).toBe(1_000_000);
    expect(restored).toEqual(original);
    // What a restore must reproduce was counted from the dump's own COPY blocks as it streamed: every table's rows.
    const { custom_seq: _sequence, ...tables } = original;
    expect(manifest.proof.tables).toEqual(Object.fromEntries(Object.entries(tables).map(([table, { count }]) => [`public.${table}`, count])));

    // Deleting the backup removes its files from storage.
    const deleted = await rest("DELETE", `/backups/${id}`, { token });
    expect(deleted).toMatchObject({ status: 204, text: "" });
    expect(listFiles(setup.storageDir)).toEqual([]);
    expect((await rest("GET", `/backups/${id}`, { token })).status).toBe(404);
  });

  it("lists backups with filters, and refuses a backup of an unknown environment", async () => {
    const all = (await rest("GET", "/backups?status=completed&type=manual&q=production", { token })).body as { items: unknown[] };
    expect(all.items).toEqual([]);
    expect((await rest("POST", "/environments/6b3f2a10-0000-4000-8000-000000000000/backups", { token, body: {} })).body).toMatchObject({
      error: { code: "not_found", message: "Environment not found" },
    });
  });
});
