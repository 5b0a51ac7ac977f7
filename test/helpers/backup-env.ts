import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Runner } from "graphile-worker";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { closeDb } from "@/server/db";
import { resetEnvCache } from "@/server/env";
import { startWorker } from "@/server/jobs/worker";
import type { PluginHost } from "@/server/plugins/host";
import { getBackup } from "@/server/services/backups";
import { createEnvironment } from "@/server/services/environments";
import { createProject } from "@/server/services/projects";
import { createServer } from "@/server/services/servers";
import { createStorageLocation } from "@/server/services/storage-locations";
import type { TestDatabase } from "./database";
import { orgDefaultPolicy, putOrgPolicy } from "@/server/services/backup-policies";

/** Points this test process's server code (tasks use the process-wide db) at the test database. */
export function pointProcessAtDatabase(t: TestDatabase): void {
  process.env.DATABASE_URL = t.url;
  resetEnvCache();
}

export async function startTestWorker(t: TestDatabase, concurrency = 4): Promise<{ stop: () => Promise<void> }> {
  pointProcessAtDatabase(t);
  const worker: Runner = await startWorker({ connectionString: t.url, concurrency });
  return {
    stop: async () => {
      await worker.stop();
      await closeDb();
    },
  };
}

/**
 * The folder the tests' `local` servers allow environments to use (a server allows only folders an admin chose):
 * every test data folder (an Odoo data dir, a filestore) is made inside it.
 */
export const ENVIRONMENTS_ROOT = path.join(os.tmpdir(), "safehold-environments");
fs.mkdirSync(ENVIRONMENTS_ROOT, { recursive: true });

/**
 * A project, this host as a server (allowing ENVIRONMENTS_ROOT), and a local storage folder (the org default).
 * Backups are stored as plain gzip files unless `encrypt` (the org default policy is saved with it): most tests
 * read or tamper with the stored gzip; the encryption tests ask for encrypted backups.
 */
export async function createBackupSetup(db: Db, plugins: PluginHost, owner: Principal, { encrypt = false }: { encrypt?: boolean } = {}) {
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-storage-"));
  const project = await createProject(db, owner, { name: `Client ${path.basename(storageDir)}`, description: "" });
  const server = await createServer(db, plugins, owner, { name: `This host ${path.basename(storageDir)}`, kind: "local", config: {}, allowedRoots: [ENVIRONMENTS_ROOT] });
  const storage = await createStorageLocation(db, plugins, owner, { name: `Disk ${path.basename(storageDir)}`, provider: "local", config: { path: storageDir }, isDefault: true });
  await putOrgPolicy(db, owner, { ...(await orgDefaultPolicy(db, owner.orgId)), encrypt });
  return { storageDir, project, server, storage };
}

export async function createPostgresEnvironment(
  db: Db,
  plugins: PluginHost,
  owner: Principal,
  setup: { project: { id: string }; server: { id: string } },
  client: { host: string; port: number; user: string; password: string; database: string },
  name = "production",
) {
  return createEnvironment(db, plugins, owner, {
    projectId: setup.project.id,
    serverId: setup.server.id,
    name,
    stage: "production",
    source: "postgres",
    sourceConfig: { host: client.host, port: client.port, user: client.user, password: client.password, database: client.database },
  });
}

const FINAL = new Set(["completed", "failed", "expired"]);

/** Polls a backup until it has finished (completed or failed). */
export async function waitForBackup(db: Db, owner: Principal, id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const backup = await getBackup(db, owner, id);
    if (FINAL.has(backup.status)) return backup;
    if (Date.now() > deadline) throw new Error(`backup ${id} still ${backup.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every file under a folder, relative to it; what a sweep removes meanwhile is simply not listed. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const entry of entries) {
      const child = relative ? path.join(relative, entry.name) : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk("");
  return files.sort();
}
