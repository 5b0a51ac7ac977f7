import { Readable } from "node:stream";
import { and, eq, inArray } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { backupArtifacts, backups } from "@/server/db/schema";
import type { ManagedServer } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { RunProgress } from "@/server/jobs/run-progress";
import { currentRunnerId } from "@/server/jobs/worker-presence";
import { recordActivity } from "@/server/services/activity";
import { openSourceSession, type SourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig, openStorage } from "@/server/services/plugin-config";
import { artifactKey, type ArtifactKind } from "./keys";
import { loadBackupJob, type BackupJob } from "./load-backup-job";
import { buildManifest } from "./manifest";
import { FAILED_PHASE, STORAGE_FAILED_PHASE, StorageFailure, onStorage } from "./storage-failure";
import { hashStoredObject, streamToStorage, type StoredArtifact } from "./stream-to-storage";
import { processLogger } from "@/server/plugins/call-context";
import type { HostedStorageClient } from "@/server/plugins/conform";

type Stored = StoredArtifact & { kind: ArtifactKind };

/** The one line a failed backup shows: the first line of the error, without a stack. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split("\n").find((l) => l.trim()) ?? "Unknown error").trim().slice(0, 500);
}

function systemActor(job: BackupJob): Principal {
  return { userId: job.backup.requestedBy, orgId: job.backup.orgId, role: "owner", label: job.requester?.email ? `${job.requester.email} (backup job)` : "Safehold", via: "system" };
}

function label(job: BackupJob): string {
  return `${job.project.name} / ${job.environment.name}`;
}

async function openJobStorage(plugins: PluginHost, job: BackupJob): Promise<HostedStorageClient> {
  if (!job.storage) throw new Error("The backup's storage location no longer exists");
  return await openStorage(plugins, job.storage);
}

/** Streams every artifact of the source to storage, then writes the manifest last. */
async function produceArtifacts(job: BackupJob, { source, server }: SourceSession, storage: HostedStorageClient, progress: RunProgress, signal: AbortSignal, written: string[]) {
  const startedAt = new Date();
  await progress.setPhase("connecting to the source");
  const produced = await source.backup({
    config: environmentSourceConfig(job.environment),
    server,
    includeFilestore: job.backup.includeFilestore,
    signal,
    log: processLogger(`backup ${job.backup.id}`),
  });
  const stored: Stored[] = [];
  for await (const artifact of produced.artifacts) {
    const key = artifactKey(job.backup, artifact.kind);
    written.push(key);
    // Streaming starts at once: the source's process may already be failing, and its error must meet the pipeline.
    const [, result] = await Promise.all([
      progress.setPhase(artifact.kind === "database" ? "dumping the database" : "archiving the filestore"),
      streamToStorage(artifact.stream, storage, key, { gzip: true, onSourceBytes: (n) => (progress.bytes += n), signal }),
    ]);
    stored.push({ kind: artifact.kind, ...result });
  }
  return { stored, startedAt, metadata: produced.metadata };
}

/** Reads every stored object back and compares it with what was written. */
async function verify(storage: HostedStorageClient, stored: Stored[]): Promise<void> {
  for (const artifact of stored) {
    const check = await onStorage(() => hashStoredObject(storage, artifact.key));
    if (check.sha256 !== artifact.sha256 || check.size !== artifact.size) {
      throw new StorageFailure(`Verification failed: the stored ${artifact.kind} file does not match what was written (sha256 ${check.sha256.slice(0, 12)}…, expected ${artifact.sha256.slice(0, 12)}…)`);
    }
  }
}

/**
 * Runs one backup: source → gzip → sha256 → storage for each artifact, the manifest last, then a read-back
 * verification. Any failure removes what was written and leaves the backup `failed` with a one-line message.
 */
export async function runBackup(db: Db, plugins: PluginHost, backupId: string, shutdown: AbortSignal): Promise<void> {
  const job = await loadBackupJob(db, backupId);
  if (!job) return;
  // Only a pending backup starts, so a job that runs twice (or one the reaper failed) does nothing.
  const now = new Date();
  const [claimed] = await db
    .update(backups)
    .set({ status: "in_progress", startedAt: now, heartbeatAt: now, runnerId: currentRunnerId(), progress: { phase: "starting", bytes: 0, updatedAt: now.toISOString() } })
    .where(and(eq(backups.id, backupId), eq(backups.status, "pending")))
    .returning({ id: backups.id });
  if (!claimed) return;

  const abort = new AbortController();
  const onShutdown = () => abort.abort(new Error("The worker was shut down during the backup; run it again"));
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const progress = new RunProgress(
    async (snapshot, heartbeatAt) => {
      const updated = await db
        .update(backups)
        .set({ progress: snapshot, heartbeatAt })
        .where(and(eq(backups.id, backupId), inArray(backups.status, ["in_progress", "uploading"])))
        .returning({ id: backups.id });
      return updated.length > 0;
    },
    () => abort.abort(new Error("The backup was stopped: it was deleted or marked failed while running")),
  );
  progress.start();
  const written: string[] = [];
  let storage: HostedStorageClient | undefined;
  let server: ManagedServer | undefined;
  try {
    storage = await onStorage(() => openJobStorage(plugins, job));
    const session = await openSourceSession(plugins, job.environment.source, environmentSourceConfig(job.environment), job.server);
    server = session.server;
    const { stored, startedAt, metadata } = await produceArtifacts(job, session, storage, progress, abort.signal, written);

    await db.update(backups).set({ status: "uploading" }).where(eq(backups.id, backupId));
    await progress.setPhase("writing the manifest");
    const manifest = buildManifest({
      backup: job.backup,
      organization: { id: job.organization.id, name: job.organization.name },
      project: { id: job.project.id, name: job.project.name },
      environment: { id: job.environment.id, name: job.environment.name, stage: job.environment.stage },
      requestedBy: job.requester?.id ? { id: job.requester.id, email: job.requester.email } : null,
      source: { type: job.environment.source, metadata },
      startedAt,
      finishedAt: new Date(),
      artifacts: stored,
    });
    const manifestKey = artifactKey(job.backup, "manifest");
    written.push(manifestKey);
    stored.push({ kind: "manifest", ...(await streamToStorage(Readable.from([manifest]), storage, manifestKey, { gzip: false, onSourceBytes: () => {}, signal: abort.signal })) });

    await progress.setPhase("verifying checksums");
    await verify(storage, stored);

    const sizeBytes = stored.reduce((sum, a) => sum + a.size, 0);
    await db.transaction(async (tx) => {
      await tx.insert(backupArtifacts).values(stored.map((a) => ({ backupId, kind: a.kind, key: a.key, size: a.size, sha256: a.sha256 })));
      await tx
        .update(backups)
        .set({ status: "completed", verified: true, signedManifest: true, sizeBytes, sourceMeta: metadata, finishedAt: new Date(), progress: progress.snapshot("completed") })
        .where(eq(backups.id, backupId));
      await recordActivity(tx, systemActor(job), {
        action: "backup.complete",
        targetType: "backup",
        targetId: backupId,
        targetLabel: label(job),
        message: `${stored.length} files, ${sizeBytes} bytes stored and verified`,
      });
    });
  } catch (err) {
    const message = abort.signal.aborted ? oneLine(abort.signal.reason) : oneLine(err);
    await Promise.all(written.map((key) => storage?.delete(key).catch(() => {})));
    await db
      .update(backups)
      .set({ status: "failed", error: message, finishedAt: new Date(), progress: progress.snapshot(!abort.signal.aborted && err instanceof StorageFailure ? STORAGE_FAILED_PHASE : FAILED_PHASE) })
      .where(and(eq(backups.id, backupId), inArray(backups.status, ["in_progress", "uploading"])));
    await recordActivity(db, systemActor(job), {
      action: "backup.fail",
      targetType: "backup",
      targetId: backupId,
      targetLabel: label(job),
      outcome: "failure",
      message,
      details: { phase: progress.phase, bytesRead: progress.bytes, error: err instanceof Error ? err.message : String(err) },
    });
  } finally {
    progress.stop();
    shutdown.removeEventListener("abort", onShutdown);
    await server?.close().catch(() => {});
    await storage?.close().catch(() => {});
  }
}
