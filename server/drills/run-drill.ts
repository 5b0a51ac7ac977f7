import { eq } from "drizzle-orm";
import { safeholdActor } from "@/server/auth/principal";
import { manifestKeysFor } from "@/server/backups/manifest-keys";
import type { Db } from "@/server/db";
import { restoreDrills, type BackupProof, type DrillCheck } from "@/server/db/schema";
import { RunFailure, failingAs, oneLine } from "@/server/jobs/run-failure";
import { Run } from "@/server/jobs/run-lifecycle";
import { processLogger } from "@/server/plugins/call-context";
import type { HostedStagedRestore, HostedStorageClient } from "@/server/plugins/conform";
import type { ManagedServer } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { loadVerified } from "@/server/restores/load-verified";
import { readCheckedManifest } from "@/server/restores/stored-manifest";
import { openSourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig } from "@/server/services/plugin-config";
import { openBackupReadLocation, readFromCopyMessage } from "@/server/copies/read-location";
import { identitiesFor } from "@/server/restores/encrypted-files";
import { drillChecks, failedChecksMessage } from "./drill-checks";
import { latestVerifiedBackup, loadDrillJob, type DrillJob } from "./load-drill-job";
import { scratchConfig, scratchDatabaseName } from "./scratch-config";

function label(job: DrillJob): string {
  return `${job.project.name} / ${job.environment.name}`;
}

/** The proof a signed manifest carries; a backup from before proofs were recorded has none. */
function proofOf(body: Record<string, unknown>): BackupProof {
  const proof = body.proof;
  return typeof proof === "object" && proof !== null ? (proof as BackupProof) : {};
}

/** What the staged copy holds; null when its source cannot say (no `inspect`): the drill then checks the load only. */
async function inspectCopy(staged: HostedStagedRestore) {
  try {
    return await staged.inspect();
  } catch (err) {
    if ((err as { pluginCode?: string }).pluginCode === "NOT_SUPPORTED") return null;
    throw err;
  }
}

/**
 * Runs one restore drill in the environment's queue (never beside its backups and restores): the latest verified
 * backup is restored into a scratch database and folder on the drill's server (the source stages it as a new
 * environment, so it refuses to load over anything that exists), the copy is inspected and compared with what
 * the backup recorded while it streamed, and the scratch copy is dropped whatever happened. No environment's data
 * is touched: nothing is ever swapped in.
 */
export async function runDrill(db: Db, plugins: PluginHost, drillId: string, shutdown: AbortSignal): Promise<void> {
  const job = await loadDrillJob(db, drillId);
  if (!job) return;
  const run = await Run.claim(db, "drill", drillId, shutdown, {
    shutdown: "The worker was shut down during the restore drill; it will run again at its next slot, or run it now",
    stopped: "The restore drill was stopped: it was marked failed while running",
  }, { environmentId: job.environment.id, serverId: job.server?.id ?? null });
  if (!run) return;
  const { progress, signal } = run;
  let storage: HostedStorageClient | undefined;
  let server: ManagedServer | undefined;
  let checks: DrillCheck[] = [];
  try {
    const latest = await latestVerifiedBackup(db, job.environment.id);
    if (!latest) throw new RunFailure("precondition", "The environment has no completed, verified backup to drill");
    if (!job.server) throw new RunFailure("precondition", "The server chosen for restore drills was deleted: choose another in the backup policy");
    const source = plugins.contribution("sources", job.environment.source);
    if (!source.capabilities?.includes("restore")) throw new RunFailure("precondition", `${source.title} backups cannot be restored by Safehold, so they cannot be drilled`);
    await db.update(restoreDrills).set({ backupId: latest.backup.id, serverId: job.server.id }).where(eq(restoreDrills.id, drillId));

    await progress.setPhase("checking the backup");
    if (!latest.storage) throw new RunFailure("precondition", "The backup's storage location no longer exists");
    const read = await failingAs("storage", () => openBackupReadLocation(db, plugins, latest.backup));
    storage = read.storage;
    const fromCopy = readFromCopyMessage(read);
    if (fromCopy) await run.log(fromCopy, "warn");
    const { files, body } = await failingAs("verification", async () => readCheckedManifest(storage!, latest.backup, latest.artifacts, await manifestKeysFor(db, latest.backup)));
    const identities = await identitiesFor(db, latest.backup.orgId, files);
    const proof = proofOf(body);
    const database = files.get("database");
    if (!database) throw new RunFailure("precondition", "The backup has no database file");
    const filestore = files.get("filestore");
    await run.log(`Restoring the backup of ${(latest.backup.finishedAt ?? latest.backup.createdAt).toISOString()} into scratch database ${scratchDatabaseName(drillId)} on ${job.server.name}`);

    await progress.setPhase("connecting");
    const config = scratchConfig(source.configSchema, environmentSourceConfig(job.environment), drillId);
    const session = await openSourceSession(plugins, job.environment.source, config, job.server);
    server = session.server;
    const staged = (await session.source.restore({
      config,
      server,
      restoreId: drillId,
      includeFiles: filestore !== undefined,
      targetIsNew: true,
      signal,
      log: run.pluginLogger(processLogger(`drill ${drillId}`)),
    })) as HostedStagedRestore;
    try {
      await progress.setPhase("loading the database");
      try {
        const compressed = database.layout === "file" && (await staged.compressedInput("database")) === "gzip";
        await loadVerified(storage, database, (content) => staged.loadDatabase(content), (n) => (progress.bytes += n), identities, compressed);
        if (filestore) {
          await progress.setPhase("extracting the filestore");
          await loadVerified(storage, filestore, (content) => staged.loadFiles(content), (n) => (progress.bytes += n), identities);
        }
      } catch (err) {
        checks = [{ check: "database loaded", ok: false, detail: oneLine(run.failure(err).message) }];
        throw err;
      }
      await progress.setPhase("checking the copy");
      checks = drillChecks(proof, await inspectCopy(staged));
    } finally {
      await progress.setPhase("dropping the scratch copy");
      await staged.discard().then(
        () => run.log("Dropped the scratch copy"),
        (err: unknown) => run.log(`Could not drop the scratch copy: ${oneLine(err)}`, "error"),
      );
    }
    await db.update(restoreDrills).set({ checks }).where(eq(restoreDrills.id, drillId));
    const failed = failedChecksMessage(checks);
    if (failed) throw new RunFailure("verification", failed);
    await run.complete({ checks }, safeholdActor(job.drill.orgId), {
      action: "drill.complete",
      targetType: "environment",
      targetId: job.environment.id,
      targetLabel: label(job),
      message: `Restore drill passed: ${checks.map((c) => c.detail).join("; ")}`,
    });
  } catch (err) {
    const failure = run.failure(err);
    await run.log(failure.message, "error").catch(() => {});
    // Recorded before the drill ends, so whoever sees it failed sees its checks too.
    await db.update(restoreDrills).set({ checks }).where(eq(restoreDrills.id, drillId));
    await run.fail(failure, safeholdActor(job.drill.orgId), {
      action: "drill.fail",
      targetType: "environment",
      targetId: job.environment.id,
      targetLabel: label(job),
      details: { drillId, phase: progress.phase, checks },
    });
  } finally {
    run.end();
    await server?.close().catch(() => {});
    await storage?.close().catch(() => {});
  }
}
