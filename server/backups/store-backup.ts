import { PassThrough, Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { backupArtifacts, backups } from "@/server/db/schema";
import type { ContributionManifest, SourceArtifactKind, SourceBackup } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { queueBackupCopies } from "@/server/copies/queue-copies";
import { RunFailure, failingAs } from "@/server/jobs/run-failure";
import type { Run } from "@/server/jobs/run-lifecycle";
import { openStorage } from "@/server/services/plugin-config";
import { DEFAULT_ARTIFACT_FORMAT, artifactKey, type ArtifactKind } from "./keys";
import type { BackupJob } from "./load-backup-job";
import { buildManifest, type ArtifactEncryption, type ArtifactObjects, type CompressedOn } from "./manifest";
import { gunzippedTap } from "./gunzipped-tap";
import { encryptionFor, type BackupEncryption } from "./encryption";
import { DecryptionError, ageDecrypted } from "@/server/crypto/age-stream";
import { organizationIdentities } from "@/server/services/organization-keys";
import { streamToStorage, type StoredArtifact } from "./stream-to-storage";
import { nextAttemptValues, planBackupRetry } from "./backup-retry";
import { DecompressError, readBack } from "./read-back";
import { proofTap, type BackupProof } from "./proof/proof-tap";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { FileSet } from "@safehold/plugin-api";
import { INDEX_CONTENT_TYPE, INDEX_EXTENSION, objectEncryption, storeFilestoreObjects } from "@/server/filestore/filestore-artifact";
import { filesSummaryLine } from "@/server/filestore/store-files";
import { releaseFilestoreObjects } from "@/server/filestore/sweep-queue";

type Stored = StoredArtifact & { kind: ArtifactKind; contentType?: string; compressedOn?: CompressedOn; encryption?: ArtifactEncryption; encryptionKeyId?: string } & Partial<ArtifactObjects>;

/** What the source says its artifacts are (file extension, media type), for their file names and the manifest. */
type Declared = ContributionManifest["artifacts"];

/** Where a run's artifacts come from: a source taking a backup, or a file being imported. */
export type ArtifactProducer = {
  /** The phase shown before the first artifact, e.g. "connecting to the source". */
  startPhase: string;
  /** The phase shown while an artifact streams, e.g. "dumping the database". */
  phase(kind: SourceArtifactKind): string;
  /** Starts producing; whatever it opened is closed by `close`, which runs however the run ends. */
  open(): Promise<SourceBackup>;
  close(): Promise<void>;
};

/** The activity actions that end the run, e.g. `backup.complete` and `backup.fail`. */
export type RunActions = { complete: string; fail: string };

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

function encryptedAs(encryption: BackupEncryption | null): Pick<Stored, "encryption" | "encryptionKeyId"> {
  return encryption ? { encryption: { format: "age", recipient: encryption.recipient }, encryptionKeyId: encryption.keyId } : {};
}

/**
 * A filestore handed over file by file: each file the location lacks is stored once as a shared object, and the
 * filestore's index is the backup's filestore file. The proof counts its files and bytes as a tar's would be.
 */
async function storeFilesArtifact(db: Db, job: BackupJob, files: FileSet, storage: HostedStorageClient, run: Run, written: string[], encryption: BackupEncryption | null) {
  if (!job.storage) throw new Error("The backup's storage location no longer exists");
  const key = artifactKey(job.backup, "filestore", INDEX_EXTENSION, encryption !== null);
  written.push(key);
  await run.progress.setPhase("storing the filestore's new files");
  const target = {
    db,
    storage,
    scope: { locationId: job.storage.id, backupId: job.backup.id, projectId: job.backup.projectId, orgId: job.backup.orgId },
    encryption: await objectEncryption(db, job.backup.orgId, encryption),
    signal: run.signal,
    onBytes: (n: number) => (run.progress.bytes += n),
  };
  const { stored, summary } = await storeFilestoreObjects(target, files, storage, key, encryption?.recipient);
  await run.log(filesSummaryLine(summary));
  const artifact: Stored = { kind: "filestore", contentType: INDEX_CONTENT_TYPE, compressedOn: "worker", ...stored, ...encryptedAs(encryption), layout: "objects", objects: summary };
  return { artifact, proof: { filestore: { files: summary.files, bytes: summary.bytes } } };
}

/** Streams every artifact the producer yields to storage; the manifest is written after them. */
async function produceArtifacts(db: Db, job: BackupJob, producer: ArtifactProducer, declared: Declared, storage: HostedStorageClient, run: Run, written: string[], encryption: BackupEncryption | null) {
  const { progress, signal } = run;
  const startedAt = new Date();
  await progress.setPhase(producer.startPhase);
  const produced = await producer.open();
  const stored: Stored[] = [];
  let proof: BackupProof = {};
  for await (const artifact of produced.artifacts) {
    if (!("stream" in artifact)) {
      const files = await storeFilesArtifact(db, job, artifact.files, storage, run, written, encryption);
      stored.push(files.artifact);
      proof = { ...proof, ...files.proof };
      continue;
    }
    const format = { ...DEFAULT_ARTIFACT_FORMAT[artifact.kind], ...declared?.[artifact.kind] };
    const key = artifactKey(job.backup, artifact.kind, format.extension, encryption !== null);
    written.push(key);
    const counter = proofTap(artifact.kind, format);
    // Already gzip (compressed on the server): stored as it came, and inflated to its end on the side as it arrives
    // (the counters see it there), which is what its read-back would otherwise do again.
    const compressedOn = artifact.encoding === "gzip" ? "server" : "worker";
    const tap = compressedOn === "server" ? gunzippedTap(counter?.stream ?? new PassThrough()) : counter?.stream;
    // Streaming starts at once: the source's process may already be failing, and its error must meet the pipeline.
    const [, result] = await Promise.all([
      progress.setPhase(producer.phase(artifact.kind)),
      streamToStorage(artifact.stream, storage, key, { gzip: compressedOn === "worker", encryptTo: encryption?.recipient, onSourceBytes: (n) => (progress.bytes += n), signal, uncompressedTap: tap }),
    ]);
    if (counter) proof = { ...proof, ...(await counter.result()) };
    stored.push({ kind: artifact.kind, contentType: format.contentType, compressedOn, ...result, ...encryptedAs(encryption) });
    await run.log(`Stored the ${artifact.kind} file${compressedOn === "server" ? ", compressed on the server" : ""}: ${result.size} bytes, sha256 ${result.sha256.slice(0, 12)}…`);
  }
  // Read once every artifact has ended: an imported file may say what it holds only at its end.
  return { stored, startedAt, metadata: produced.metadata, application: produced.application ?? null, proof };
}

/**
 * Reads every stored object back and compares it with what was written; encrypted ones must decrypt and decompress
 * to their end. The objects are read at the same time (a filestore's gunzip need not wait for the dump's); a failure is
 * reported for the first object, in the order they were written, that failed.
 */
async function verify(storage: HostedStorageClient, stored: Stored[], identities: string[]): Promise<void> {
  const checks = await Promise.allSettled(stored.map((artifact) => verifyOne(storage, artifact, identities)));
  const failed = checks.find((check) => check.status === "rejected");
  if (failed) throw failed.reason;
}

async function verifyOne(storage: HostedStorageClient, artifact: Stored, identities: string[]): Promise<void> {
  const check = await failingAs("storage", async () => {
    try {
      const content = artifact.encryption ? (bytes: Readable) => ageDecrypted(bytes, identities) : undefined;
      // Stored bytes with the sha256 of what was written are those bytes: a gzip made here is zlib's own output, and
      // a server's was inflated to its end as it arrived, so inflating either again tests zlib, not storage (~1 s per
      // GB). An encrypted file is still decrypted and inflated, which proves the organization's key opens it.
      return await readBack(await storage.get(artifact.key), { kind: artifact.kind, compressed: artifact.kind !== "manifest" && artifact.encryption !== undefined }, content);
    } catch (err) {
      throw err instanceof DecompressError || err instanceof DecryptionError ? new RunFailure("verification", err.message) : err;
    }
  });
  if (check.sha256 !== artifact.sha256 || check.size !== artifact.size) {
    throw new RunFailure("verification", `Verification failed: the stored ${artifact.kind} file does not match what was written (sha256 ${check.sha256.slice(0, 12)}…, expected ${artifact.sha256.slice(0, 12)}…)`);
  }
}

/**
 * Stores a claimed run's artifacts as a backup: producer → gzip → sha256 → storage for each artifact, the signed
 * manifest last, then a read-back verification. Any failure removes what was written and leaves the backup
 * `failed` with a one-line message, unless it is a scheduled backup's transient failure with attempts left: the
 * same backup then goes back to `pending` and its job is queued for the next attempt. Backups and imports both
 * end here: one pipeline.
 */
export async function storeBackupRun(db: Db, plugins: PluginHost, job: BackupJob, run: Run, producer: ArtifactProducer, actions: RunActions): Promise<void> {
  const { progress } = run;
  const backupId = job.backup.id;
  const written: string[] = [];
  let storage: HostedStorageClient | undefined;
  try {
    storage = await failingAs("storage", () => openJobStorage(plugins, job));
    const encryption = await encryptionFor(db, job, run);
    const { stored, startedAt, metadata, application, proof } = await produceArtifacts(db, job, producer, plugins.contribution("sources", job.environment.source).artifacts, storage, run, written, encryption);

    await db.update(backups).set({ status: "uploading" }).where(eq(backups.id, backupId));
    await progress.setPhase("writing the manifest");
    const manifest = buildManifest({
      backup: job.backup,
      organization: { id: job.organization.id, name: job.organization.name },
      project: { id: job.project.id, name: job.project.name },
      environment: { id: job.environment.id, name: job.environment.name, stage: job.environment.stage },
      requestedBy: job.requester?.id ? { id: job.requester.id, email: job.requester.email } : null,
      source: { type: job.environment.source, metadata, application },
      startedAt,
      finishedAt: new Date(),
      artifacts: stored,
      proof,
    });
    const manifestKey = artifactKey(job.backup, "manifest");
    written.push(manifestKey);
    const manifestStored = await failingAs("storage", () => streamToStorage(Readable.from([manifest]), storage!, manifestKey, { gzip: false, onSourceBytes: () => {}, signal: run.signal }));
    stored.push({ kind: "manifest", ...manifestStored });

    await progress.setPhase("verifying checksums");
    await verify(storage, stored, encryption ? await organizationIdentities(db, job.backup.orgId) : []);
    await run.log("Read every stored file back: each matches what was written");

    const sizeBytes = stored.reduce((sum, a) => sum + a.size, 0);
    await run.complete(
      { verified: true, signedManifest: true, sizeBytes, sourceMeta: metadata, application, proof },
      systemActor(job),
      { action: actions.complete, targetType: "backup", targetId: backupId, targetLabel: label(job), message: `${stored.length} files, ${sizeBytes} bytes stored and verified` },
      async (tx) => {
        await tx.insert(backupArtifacts).values(stored.map((a) => ({ backupId, kind: a.kind, key: a.key, size: a.size, sha256: a.sha256, encryptionKeyId: a.encryptionKeyId ?? null, layout: a.layout ?? ("file" as const) })));
        await queueBackupCopies(tx, job.backup);
      },
    );
  } catch (err) {
    const failure = run.failure(err);
    await Promise.all(written.map((key) => storage?.delete(key).catch(() => {})));
    const retry = await planBackupRetry(db, job.backup, failure.kind, run.signal.aborted ? run.signal.reason : err).catch(() => null);
    // A retried backup keeps its filestore references, so the next attempt finds the objects this one stored.
    if (retry && (await run.retryAt(retry.at, retry.phase, nextAttemptValues(retry)))) {
      await run.log(retry.line(failure.message), "warn").catch(() => {});
      return;
    }
    // The objects it stored stay until the location's sweep finds no other backup referencing them.
    await releaseFilestoreObjects(db, [backupId]).catch(() => {});
    const final = job.backup.maxAttempts ? `Attempt ${job.backup.attempt} of ${job.backup.maxAttempts} failed: ${failure.message}` : failure.message;
    await run.log(final, "error").catch(() => {});
    await run.fail(failure, systemActor(job), {
      action: actions.fail,
      targetType: "backup",
      targetId: backupId,
      targetLabel: label(job),
      details: { phase: progress.phase, bytesRead: progress.bytes, error: err instanceof Error ? err.message : String(err) },
    }, progress.snapshot("failed"));
  } finally {
    run.end();
    await producer.close().catch(() => {});
    await storage?.close().catch(() => {});
  }
}
