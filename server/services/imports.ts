import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { backupJobKey } from "@/server/backups/job-key";
import type { DbOrTx } from "@/server/db";
import { RETENTION_CLASSES, servers } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { refusedUrl } from "@/server/imports/fetch-url";
import { checkedServerFile, importFrom } from "@/server/imports/import-source";
import { enqueueJob, environmentQueue } from "@/server/jobs/enqueue";
import type { PluginHost } from "@/server/plugins/host";
import { openSourceSession } from "@/server/servers/connect-server";
import { recordActivity } from "./activity";
import { chooseStorageLocation, insertPendingBackup } from "./backup-lifecycle";
import { getBackup } from "./backups";
import { findEnvironment } from "./environments";
import { effectivePolicyFor } from "./backup-policies";
import { environmentSourceConfig } from "./plugin-config";

export const createImportInput = z.object({
  environmentId: z.uuid(),
  from: importFrom,
  name: z.string().trim().max(200).default(""),
  notes: z.string().trim().max(5000).default(""),
  /** Defaults to the environment's backup policy's storage location (else the organization's default). */
  storageLocationId: z.uuid().optional(),
  retention: z.enum(RETENTION_CLASSES).default("monthly"),
});

/** The environment an import goes into, once its source can import files. */
async function importTarget(db: DbOrTx, plugins: PluginHost, actor: Principal, environmentId: string) {
  const found = await findEnvironment(db, actor, environmentId);
  if (found.environment.archivedAt) throw new ConflictError("This environment is archived: import into an active environment");
  const contribution = plugins.contribution("sources", found.environment.source);
  if (!contribution.capabilities?.includes("import")) {
    throw new ValidationError(`${contribution.title} environments cannot import files`, { environmentId: "This kind of environment cannot import files" });
  }
  return found;
}

/** Refuses a file the console may not read, before anything is recorded: a URL the destination policy refuses, a path outside the server's allowed folders. */
async function checkFrom(db: DbOrTx, plugins: PluginHost, target: Awaited<ReturnType<typeof importTarget>>, from: z.infer<typeof importFrom>): Promise<void> {
  if (from.kind === "url") {
    const refused = await refusedUrl(from.url);
    if (refused) throw new ValidationError(refused, { url: refused });
    return;
  }
  const [row] = await db.select().from(servers).where(eq(servers.id, target.environment.serverId));
  if (!row) throw new NotFoundError("Server");
  const { server } = await openSourceSession(plugins, target.environment.source, environmentSourceConfig(target.environment), row);
  try {
    await checkedServerFile(server, from.path);
  } catch (err) {
    const message = (err as Error).message.split("\n")[0]!;
    throw new ValidationError(message, { path: message });
  } finally {
    await server.close().catch(() => {});
  }
}

type Target = Awaited<ReturnType<typeof importTarget>>;

/** Records the pending backup of an import with its activity entry; with `from`, queues its run in the environment's queue. */
async function recordImport(db: DbOrTx, actor: Principal, target: Target, shown: string, options: { name: string; notes: string; storageLocationId?: string; retention: (typeof RETENTION_CLASSES)[number]; from?: z.infer<typeof importFrom> }) {
  const policy = await effectivePolicyFor(db, actor.orgId, target.environment.id);
  const location = await chooseStorageLocation(db, actor, options.storageLocationId ?? policy.storageLocationId ?? undefined);
  return await db.transaction(async (tx) => {
    const id = await insertPendingBackup(tx, actor.orgId, {
      environment: target.environment,
      storageLocationId: location.id,
      type: "imported",
      name: options.name || `Imported from ${shown}`.slice(0, 200),
      notes: options.notes,
      requestedBy: actor.userId,
      retention: options.retention,
      includeFilestore: true,
    });
    if (options.from) await enqueueJob(tx, "import/run", { backupId: id, from: options.from }, { queueName: environmentQueue(target.environment.id), jobKey: backupJobKey(id), maxAttempts: 1 });
    await recordActivity(tx, actor, {
      action: "backup.import_start",
      targetType: "backup",
      targetId: id,
      targetLabel: `${target.projectName} / ${target.environment.name}`,
      message: [`Import from ${shown}`, `to ${location.name}`, `kept ${options.retention}`].join(" · "),
    });
    return id;
  });
}

/**
 * Records an import from a URL or a server path as a pending backup of type `imported` and queues its run. Its
 * origin is `taken`: the console itself stores, hashes, signs and verifies what it read, as for a backup it took,
 * so it restores like one; the file's content is untrusted input, as any client database is.
 */
export async function createImport(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof createImportInput>) {
  const target = await importTarget(db, plugins, actor, input.environmentId);
  await checkFrom(db, plugins, target, input.from);
  const shown = input.from.kind === "url" ? input.from.url : `${input.from.path} on the server`;
  const id = await recordImport(db, actor, target, shown, input);
  return getBackup(db, actor, id);
}

/** Records the import of a file being uploaded (its run is fed by the upload, in the process receiving it); the backup's id. */
export async function createUploadImport(db: DbOrTx, plugins: PluginHost, actor: Principal, input: { environmentId: string; fileName: string }): Promise<string> {
  const target = await importTarget(db, plugins, actor, input.environmentId);
  return await recordImport(db, actor, target, `the upload of ${input.fileName}`, { name: "", notes: "", retention: "monthly" });
}
