import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { SourceArtifactKind } from "@safehold/plugin-api";
import { manifestKeysFor } from "@/server/backups/manifest-keys";
import { openBackupReadLocation } from "@/server/copies/read-location";
import type { Db } from "@/server/db";
import { backupArtifacts, type backups, type downloadLinks, environments } from "@/server/db/schema";
import { isDomainError } from "@/server/errors";
import { oneLine } from "@/server/jobs/run-failure";
import { processLogger } from "@/server/plugins/call-context";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { openArtifactContent } from "@/server/restores/artifact-content";
import type { ArtifactToLoad } from "@/server/restores/artifact-stream";
import { identitiesFor } from "@/server/restores/encrypted-files";
import { checkStoredManifest } from "@/server/restores/stored-manifest";
import { erasedSubjectsOf } from "@/server/services/erasure";
import { exportFileName, exportFormatOf } from "./export-format";
import { refuse } from "./refuse";

const CODES: Record<number, string> = { 404: "not_found", 409: "conflict", 502: "bad_gateway" };

type ExportLink = { link: typeof downloadLinks.$inferSelect; backup: typeof backups.$inferSelect };

/** Why an export was refused before its first byte: `shown` goes to whoever holds the link, `logged` to the console's log. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly shown: string,
    readonly logged: string,
  ) {
    super(shown);
  }
}

const STORAGE_FAILED = "The storage could not return the backup's files. The console's log has the details.";

/** A manifest check's own finding (the backup was changed in storage), as opposed to storage failing to answer. */
function isFinding(err: unknown): boolean {
  return /^The (stored manifest|backup has no manifest|\S+ file is encrypted to)/.test(oneLine(err));
}

/** Everything checked before the first byte: the format, the stored manifest against the catalog, the keys. */
async function prepare(db: Db, plugins: PluginHost, { link, backup }: ExportLink) {
  const [environment] = await db.select({ name: environments.name, source: environments.source }).from(environments).where(eq(environments.id, backup.environmentId));
  if (!environment) throw new Refusal(404, "The environment of this backup was deleted.", "environment deleted");
  let format;
  try {
    format = exportFormatOf(plugins, environment.source, link.format!);
  } catch (err) {
    throw new Refusal(409, oneLine(err), oneLine(err));
  }
  const catalog = await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, backup.id));
  let storage: HostedStorageClient;
  try {
    storage = (await openBackupReadLocation(db, plugins, backup)).storage;
  } catch (err) {
    throw new Refusal(502, STORAGE_FAILED, oneLine(err));
  }
  try {
    // The same checks as a restore: a manifest changed in storage, or files other than the catalog's, are refused here.
    const files = await checkStoredManifest(storage, backup, catalog, await manifestKeysFor(db, backup));
    const identities = await identitiesFor(db, backup.orgId, files);
    return { environment, format, storage, files, identities };
  } catch (err) {
    await storage.close().catch(() => {});
    throw isFinding(err) ? new Refusal(409, oneLine(err), oneLine(err)) : new Refusal(502, STORAGE_FAILED, oneLine(err));
  }
}

/**
 * Serves an export link: the backup's source builds the file in the declared format (e.g. Odoo's zip) from the
 * stored files, each read through the verified reader (decrypted, checked chunk by chunk against the signed
 * manifest), as the response streams. What can be checked before the first byte is refused with a page saying why;
 * a file found damaged later aborts the response, so a download never completes with unchecked bytes.
 */
export async function serveExport(db: Db, plugins: PluginHost, request: Request, exportLink: ExportLink): Promise<Response> {
  const { backup, link } = exportLink;
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(db, plugins, exportLink);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    console.error(`Export of backup ${backup.id} refused:`, err.logged);
    return refuse(request, err.status, CODES[err.status] ?? "conflict", `The export cannot be made: ${err.shown}`);
  }
  const { environment, format, storage, files, identities } = prepared;
  const headers = {
    "content-type": format.contentType,
    "content-disposition": `attachment; filename="${exportFileName(environment.name, backup.finishedAt ?? backup.createdAt, format.extension)}"`,
    // Built as it streams: no length, no ranges; no-transform keeps proxies from recompressing it.
    "cache-control": "private, no-store, no-transform",
  };
  if (request.method === "HEAD") {
    await storage.close();
    return new Response(null, { status: 200, headers });
  }

  const controller = new AbortController();
  // What the storage said stays in the console's log; whoever holds the link learns only that it failed.
  let storageFailed = false;
  const openArtifact = async (kind: SourceArtifactKind): Promise<Readable> => {
    const file: ArtifactToLoad | undefined = files.get(kind);
    if (!file) throw new Error(`The backup has no ${kind} file`);
    try {
      const { content } = await openArtifactContent(storage, file, () => {}, identities);
      return content;
    } catch (err) {
      console.error(`Export of backup ${backup.id}: reading its ${kind} file failed:`, oneLine(err));
      storageFailed = true;
      throw new Error(STORAGE_FAILED);
    }
  };
  let body: Readable;
  try {
    const source = await plugins.source(environment.source);
    body = await source.exportArchive({
      format: format.id,
      metadata: backup.sourceMeta ?? {},
      application: backup.application ?? null,
      artifacts: [...files.keys()] as SourceArtifactKind[],
      openArtifact,
      neutralize: link.neutralized,
      erasedSubjects: await erasedSubjectsOf(db, [backup.projectId]),
      signal: controller.signal,
      log: processLogger(`export ${backup.id}`),
    });
  } catch (err) {
    controller.abort();
    await storage.close().catch(() => {});
    const status = storageFailed ? 502 : isDomainError(err, "not_found") ? 404 : 409;
    console.error(`Export of backup ${backup.id} failed:`, oneLine(err));
    return refuse(request, status, CODES[status] ?? "conflict", `The export cannot be made: ${oneLine(err)}`);
  }
  body.once("error", (err) => console.error(`Export of backup ${backup.id} stopped:`, oneLine(err)));
  // The client going away (or the file failing) stops the source and the storage reads.
  body.once("close", () => {
    controller.abort();
    void storage.close().catch(() => {});
  });
  return new Response(Readable.toWeb(body) as ReadableStream, { status: 200, headers });
}
