import type { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import { manifestKeysFor } from "@/server/backups/manifest-keys";
import type { Db } from "@/server/db";
import { projects, restores, type RestoreReport } from "@/server/db/schema";
import { RunFailure, failingAs, oneLine } from "@/server/jobs/run-failure";
import { Run } from "@/server/jobs/run-lifecycle";
import type { ManagedServer, PreviousCopy } from "@/server/plugins/contracts";
import type { HostedStagedRestore } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { erasedSubjectsOf } from "@/server/services/erasure";
import { openSourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig } from "@/server/services/plugin-config";
import { openBackupReadLocation, readFromCopyMessage } from "@/server/copies/read-location";
import type { ArtifactToLoad } from "./artifact-stream";
import { loadVerified } from "./load-verified";
import { loadRestoreJob, type RestoreJob } from "./load-restore-job";
import { takeSafetyBackup } from "./safety-backup";
import { identitiesFor } from "./encrypted-files";
import { checkStoredManifest } from "./stored-manifest";
import { ARCHIVED_TARGET, UNTRUSTED_FOREIGN } from "@/server/catalog/trust-backup";
import { processLogger } from "@/server/plugins/call-context";
import type { HostedStorageClient } from "@/server/plugins/conform";

function systemActor(job: RestoreJob): Principal {
  return { userId: job.restore.requestedBy, orgId: job.restore.orgId, role: "owner", label: job.requester?.email ? `${job.requester.email} (restore job)` : "Safehold", via: "system" };
}

function label(job: RestoreJob): string {
  return job.project && job.target ? `${job.project.name} / ${job.target.name}` : "deleted environment";
}

/** Why a restore cannot start at all; checked before anything (even the safety backup) happens. */
function precondition(job: RestoreJob): string | null {
  if (!job.backup) return "The backup to restore was deleted";
  if (job.backup.status !== "completed" || !job.backup.verified) return "The backup is not a completed, verified backup";
  if (job.backup.origin === "foreign" && !job.backup.trustedAt) return UNTRUSTED_FOREIGN;
  if (!job.target || !job.server) return "The target environment was deleted";
  if (job.target.archivedAt) return ARCHIVED_TARGET;
  if (!job.storage) return "The backup's storage location no longer exists";
  if (!job.artifacts.some((a) => a.kind === "database")) return "The backup has no database file";
  return null;
}

class RestoreRun {
  storage?: HostedStorageClient;
  server?: ManagedServer;
  staged?: HostedStagedRestore;
  /** What each file must be, from the checked manifest: nothing is loaded before it was read. */
  files?: Map<string, ArtifactToLoad>;
  /** The organization's private keys, for encrypted files. */
  identities: string[] = [];

  constructor(
    private readonly db: Db,
    readonly job: RestoreJob,
    readonly run: Run,
  ) {}

  get progress() {
    return this.run.progress;
  }

  log(message: string, level: "info" | "warn" | "error" = "info") {
    return this.run.log(message, level);
  }

  async phase(phase: string, message?: string) {
    await this.progress.setPhase(phase);
    if (message) await this.log(message);
  }

  /** Streams one stored artifact into the staged copy; a damaged file fails here, before any swap. */
  async load(kind: "database" | "filestore", into: (content: Readable) => Promise<void>) {
    const artifact = this.files!.get(kind)!;
    if (!artifact.chunks) await this.log(`This backup was taken before files were checked chunk by chunk: its ${kind} file is read and checked once before it is loaded`);
    // A loader that decompresses on the server gets the stored gzip bytes: compressed bytes cross the link.
    // A filestore kept as shared objects is reassembled into a tar here: there is no stored gzip file to send.
    const compressed = artifact.layout === "file" && (await this.staged!.compressedInput(kind)) === "gzip";
    if (compressed) await this.log(`The ${kind} file is sent compressed and decompressed on the server`);
    await loadVerified(this.storage!, artifact, into, (n) => (this.progress.bytes += n), this.identities, compressed);
  }
}

async function prepareReport(db: Db, run: RestoreRun, newIdentity: boolean): Promise<RestoreReport> {
  const job = run.job;
  const projectIds = [...new Set([job.target!.projectId, job.backup!.projectId])];
  const subjects = await erasedSubjectsOf(db, projectIds);
  const report = await run.staged!.prepare({ newIdentity, neutralize: job.restore.neutralize, erasedSubjects: subjects });
  if (report.identityRegenerated) await run.log("Gave the copy its own identity (new database.uuid and database.secret)");
  for (const line of report.neutralized) await run.log(`Neutralized: ${line}`);
  await run.log(subjects.length ? `Erasure rules: ${report.erasedRecords} record(s) of ${subjects.length} erased data subject(s) found and anonymised again` : "Erasure rules: the project has no erased data subjects");
  return { ...report, erasedSubjects: subjects.length };
}

/**
 * Runs one restore in the target environment's queue: an optional safety backup of the target (which must
 * complete and verify first), then the backup's artifacts loaded into a fresh copy beside the target, the
 * copy prepared (identity, neutralization, erasure rules), and only then swapped in. Until the swap the
 * target is untouched; any failure before it removes the fresh copy and leaves the target as it was.
 */
export async function runRestore(db: Db, plugins: PluginHost, restoreId: string, shutdown: AbortSignal): Promise<void> {
  const job = await loadRestoreJob(db, restoreId);
  if (!job) return;
  const lifecycle = await Run.claim(db, "restore", restoreId, shutdown, {
    shutdown: "The worker was shut down during the restore; the target was left as it was, run the restore again",
    stopped: "The restore was stopped: it was marked failed while running",
  }, job.target ? { environmentId: job.target.id, serverId: job.server?.id ?? null } : undefined);
  if (!lifecycle) return;
  const run = new RestoreRun(db, job, lifecycle);
  let previousCopy: PreviousCopy | null = null;
  try {
    const problem = precondition(job);
    if (problem) throw new RunFailure("precondition", problem);
    const backup = job.backup!;
    const target = job.target!;
    const signal = lifecycle.signal;

    // The manifest is checked before anything else, so a backup changed in storage costs no safety backup.
    await run.phase("checking the backup");
    const read = await failingAs("storage", () => openBackupReadLocation(db, plugins, backup));
    run.storage = read.storage;
    const fromCopy = readFromCopyMessage(read);
    if (fromCopy) await run.log(fromCopy, "warn");
    run.files = await failingAs("verification", async () => checkStoredManifest(run.storage!, backup, job.artifacts, await manifestKeysFor(db, backup)));
    run.identities = await identitiesFor(db, backup.orgId, run.files);

    if (job.restore.safetyBackup && job.restore.target !== "new_environment") {
      await run.phase("safety backup", "Taking a safety backup of the target before touching it");
      await takeSafetyBackup(db, plugins, job, signal);
      await run.log("Safety backup completed and verified");
    }

    await run.phase("connecting");
    const config = environmentSourceConfig(target);
    const { source, server } = await openSourceSession(plugins, target.source, config, job.server!);
    run.server = server;
    const hasFiles = job.artifacts.some((a) => a.kind === "filestore");
    const includeFiles = job.restore.includeFilestore && hasFiles;
    run.staged = (await source.restore({
      config,
      server,
      restoreId,
      includeFiles,
      targetIsNew: job.restore.target === "new_environment",
      signal,
      log: lifecycle.pluginLogger(processLogger(`restore ${restoreId}`)),
    })) as HostedStagedRestore;

    try {
      await run.phase("loading the database", "Loading the database into a fresh copy beside the target");
      await run.load("database", (content) => run.staged!.loadDatabase(content));
      if (includeFiles) {
        await run.phase("extracting the filestore", "Extracting the filestore into a fresh folder beside the target");
        await run.load("filestore", (content) => run.staged!.loadFiles(content));
      } else if (job.restore.includeFilestore) {
        await run.log("The backup has no filestore: only the database is restored");
      } else {
        await run.log("Filestore not included: the target's files are left as they are");
      }
      await run.phase("preparing the copy");
      const newIdentity = target.id !== backup.environmentId;
      const report = await prepareReport(db, run, newIdentity);
      await db.update(restores).set({ report }).where(eq(restores.id, restoreId));

      await run.phase("swapping", "Swapping the restored copy in");
      if (signal.aborted) throw signal.reason;
      await db.update(restores).set({ swappedAt: new Date() }).where(eq(restores.id, restoreId));
      previousCopy = await run.staged.swap();
    } catch (err) {
      await run.staged.discard().catch((e: unknown) => run.log(`Could not remove the unfinished copy: ${oneLine(e)}`, "error"));
      throw err;
    }
    await run.log(previousCopy ? `The former data was kept aside: ${previousCopy.description}` : "The target had no data before: nothing was kept aside");

    const [project] = await db.select({ name: projects.name }).from(projects).where(eq(projects.id, backup.projectId));
    await lifecycle.complete({ previousCopy }, systemActor(job), {
      action: "restore.complete",
      targetType: "environment",
      targetId: target.id,
      targetLabel: label(job),
      message: `Restored the backup of ${project?.name ?? "a project"} from ${(backup.finishedAt ?? backup.createdAt).toISOString()}${previousCopy ? `; kept ${previousCopy.description}` : ""}`,
    });
  } catch (err) {
    const failure = lifecycle.failure(err);
    await run.log(failure.message, "error").catch(() => {});
    await lifecycle.fail(failure, systemActor(job), {
      action: "restore.fail",
      targetType: "environment",
      targetId: job.target?.id ?? null,
      targetLabel: label(job),
      details: { restoreId, phase: run.progress.phase },
    });
  } finally {
    lifecycle.end();
    await run.server?.close().catch(() => {});
    await run.storage?.close().catch(() => {});
  }
}
