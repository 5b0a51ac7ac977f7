import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { readManifestText } from "@/server/backups/read-manifest";
import { ageDecrypted } from "@/server/crypto/age-stream";
import { oneLine } from "@/server/jobs/run-failure";
import type { StorageClient } from "@/server/plugins/contracts";
import { selfBackupKey } from "./console-key";
import { MANIFEST_FILE, SELF_BACKUP_PREFIX, verifyConsoleManifest, type ConsoleManifest } from "./console-manifest";
import { libpqEnv } from "./own-database";
import { backupGunzip } from "@/server/backups/gunzip";

/**
 * The newest self-backup of a location whose manifest verifies with `master` (a manifest another key signed, or
 * one changed in storage, is passed over), or null when none does.
 */
export async function latestSelfBackup(storage: StorageClient, master: Buffer): Promise<ConsoleManifest | null> {
  const manifests = (await storage.list(SELF_BACKUP_PREFIX)).filter((o) => o.key.endsWith(`/${MANIFEST_FILE}`)).sort((a, b) => b.key.localeCompare(a.key));
  for (const object of manifests) {
    const manifest = verifyConsoleManifest(await readManifestText(storage, object.key).catch(() => ""), master);
    if (manifest && manifest.key.startsWith(object.key.slice(0, object.key.lastIndexOf("/") + 1))) return manifest;
  }
  return null;
}

/** Reads the stored dump through once: its size and sha256 must be the manifest's before anything is loaded. */
async function checkStoredDump(storage: StorageClient, manifest: ConsoleManifest): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of await storage.get(manifest.key)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const sha256 = hash.digest("hex");
  if (size !== manifest.size || sha256 !== manifest.sha256) {
    throw new Error(`The stored self-backup ${manifest.key} is damaged: ${size} bytes with sha256 ${sha256.slice(0, 12)}…, but its manifest says ${manifest.size} bytes with sha256 ${manifest.sha256.slice(0, 12)}…`);
  }
}

/**
 * Streams a self-backup into the database at `url`: storage → age decryption (the key derived from `master`) →
 * gunzip → psql (one transaction, stopping at the first error). Memory stays flat; nothing is written to disk.
 */
export async function loadSelfBackup(storage: StorageClient, manifest: ConsoleManifest, master: Buffer, url: string): Promise<void> {
  await checkStoredDump(storage, manifest);
  const psql = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"], { env: libpqEnv(url), stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  psql.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    psql.on("error", (err) => reject(new Error(`psql could not start: ${err.message}`)));
    psql.on("close", resolve);
  });
  const { identity } = await selfBackupKey(master);
  try {
    await pipeline(ageDecrypted(await storage.get(manifest.key), [identity]), backupGunzip(), psql.stdin);
  } catch (err) {
    psql.kill();
    await exited.catch(() => null);
    throw new Error(`Loading the self-backup failed: ${oneLine(stderr.trim()) || oneLine(err)}`);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`Loading the self-backup failed (psql exit ${code}): ${oneLine(stderr.trim()) || "no message"}`);
}
