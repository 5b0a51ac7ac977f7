import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { eq } from "drizzle-orm";
import { streamToStorage } from "@/server/backups/stream-to-storage";
import { ageEncryptor } from "@/server/crypto/age-stream";
import type { Db } from "@/server/db";
import { selfBackupRuns, storageLocations } from "@/server/db/schema";
import { env } from "@/server/env";
import { oneLine } from "@/server/jobs/run-failure";
import type { PluginHost } from "@/server/plugins/host";
import { VERSION } from "@/server/cli/project-root";
import { openStorage } from "@/server/services/plugin-config";
import { selfBackupKey } from "./console-key";
import { DUMP_FILE, MANIFEST_FILE, buildConsoleManifest, selfBackupFolder } from "./console-manifest";
import { libpqEnv, migrationLevel } from "./own-database";

/**
 * `pg_dump` of Safehold's own database as a stream (plain SQL, without owners, so it loads into any role). The job
 * queue's schema is left out: a recovered console starts with an empty queue, which its migrations create.
 */
function dumpOwnDatabase(url: string): { output: Readable; done: Promise<void> } {
  const child = spawn("pg_dump", ["--format=plain", "--no-owner", "--no-privileges", "--exclude-schema=graphile_worker"], { env: libpqEnv(url), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`pg_dump could not start: ${err.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump of the console's database failed (exit ${code}): ${oneLine(stderr.trim()) || "no message"}`))));
  });
  return { output: child.stdout, done };
}

/**
 * One self-backup run: the console's database, dumped, gzipped and age-encrypted to the key derived from the
 * console's secret key, streamed to the chosen location (memory flat, nothing on disk), then a signed manifest
 * next to it. The run's row records the outcome.
 */
export async function runSelfBackup(db: Db, plugins: PluginHost, runId: string, signal: AbortSignal): Promise<void> {
  const [run] = await db.select().from(selfBackupRuns).where(eq(selfBackupRuns.id, runId));
  if (!run || run.status !== "running") return;
  try {
    const [location] = run.storageLocationId ? await db.select().from(storageLocations).where(eq(storageLocations.id, run.storageLocationId)) : [];
    if (!location) throw new Error("The self-backup's storage location no longer exists: choose another in Settings › Storage");
    const storage = await openStorage(plugins, location);
    try {
      const startedAt = new Date();
      const folder = selfBackupFolder(startedAt);
      const migrations = await migrationLevel(db);
      const dump = dumpOwnDatabase(env().databaseUrl!);
      const encrypted = dump.output.pipe(createGzip({ level: 6 })).pipe(await ageEncryptor([(await selfBackupKey()).recipient]));
      // A dump that failed half-way is removed, so the location holds only complete self-backups.
      const [stored] = await Promise.all([streamToStorage(encrypted, storage, `${folder}${DUMP_FILE}`, { gzip: false, onSourceBytes: () => {}, signal }), dump.done]).catch(async (err: unknown) => {
        await storage.delete(`${folder}${DUMP_FILE}`).catch(() => {});
        throw err;
      });
      const manifest = buildConsoleManifest({ format: "safehold-console-backup/1", key: stored.key, size: stored.size, sha256: stored.sha256, createdAt: startedAt.toISOString(), consoleVersion: VERSION, migrations });
      await storage.put(`${folder}${MANIFEST_FILE}`, Readable.from([manifest]), { signal });
      await db.update(selfBackupRuns).set({ status: "completed", key: stored.key, sizeBytes: stored.size, sha256: stored.sha256, finishedAt: new Date() }).where(eq(selfBackupRuns.id, runId));
    } finally {
      await storage.close();
    }
  } catch (err) {
    await db.update(selfBackupRuns).set({ status: "failed", error: oneLine(err), finishedAt: new Date() }).where(eq(selfBackupRuns.id, runId));
  }
}
