import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { eq } from "drizzle-orm";
import { artifactFileName } from "@/server/backups/keys";
import { manifestKeysFor } from "@/server/backups/manifest-keys";
import { openBackupReadLocation } from "@/server/copies/read-location";
import type { Db } from "@/server/db";
import { backupArtifacts, type backups } from "@/server/db/schema";
import { oneLine } from "@/server/jobs/run-failure";
import type { HostedStorageClient } from "@/server/plugins/conform";
import type { PluginHost } from "@/server/plugins/host";
import { openFilestoreTar } from "@/server/filestore/filestore-tar";
import { ageEncryptor } from "@/server/crypto/age-stream";
import { identitiesFor } from "@/server/restores/encrypted-files";
import { checkStoredManifest } from "@/server/restores/stored-manifest";
import { refuse } from "./refuse";

/** A check's own finding (the backup was changed in storage, or its key is gone), as opposed to storage failing to answer. */
function isFinding(err: unknown): boolean {
  return /^The (stored manifest|backup has no manifest|\S+ file is encrypted to)/.test(oneLine(err));
}

/**
 * Serves a filestore kept as shared objects as the `backup-{id}-filestore.tar.gz` a full archive would have been:
 * the manifest is checked first, then the tar is reassembled from the index, each object checked as it streams,
 * and gzipped (then, for an `encrypted` link, sealed with age to the backup's key) by the console as it goes out. Built as it streams: no length, no ranges, no presigned
 * URL. A file found missing or damaged aborts the response, so a download never completes with unchecked bytes.
 */
export async function serveReassembledFilestore(db: Db, plugins: PluginHost, request: Request, link: { backup: typeof backups.$inferSelect; encrypted: boolean }): Promise<Response> {
  const { backup, encrypted } = link;
  const headers = {
    "content-type": encrypted ? "application/octet-stream" : "application/gzip",
    "content-disposition": `attachment; filename="${artifactFileName(backup.id, "filestore", undefined, encrypted)}"`,
    "accept-ranges": "none",
    "cache-control": "private, no-store, no-transform",
  };
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  let storage: HostedStorageClient | undefined;
  let tar: Readable;
  let recipient: string | undefined;
  try {
    storage = (await openBackupReadLocation(db, plugins, backup)).storage;
    const catalog = await db.select().from(backupArtifacts).where(eq(backupArtifacts.backupId, backup.id));
    const files = await checkStoredManifest(storage, backup, catalog, await manifestKeysFor(db, backup));
    const filestore = files.get("filestore")!;
    recipient = encrypted ? filestore.encryption?.recipient : undefined;
    const identities = await identitiesFor(db, backup.orgId, files);
    tar = (await openFilestoreTar(storage, filestore, { orgId: backup.orgId, identities }, () => {})).content;
  } catch (err) {
    await storage?.close().catch(() => {});
    console.error(`Download of the filestore of backup ${backup.id} failed:`, oneLine(err));
    if (isFinding(err)) return refuse(request, 409, "conflict", `The filestore cannot be downloaded: ${oneLine(err)}`);
    return refuse(request, 502, "bad_gateway", "The storage could not return the file. The console's log has the details.");
  }
  const gzipped = tar.pipe(createGzip({ level: 6 }));
  // Asked encrypted: the archive is sealed again to the key its objects were stored under, as the backup's files are.
  const body = recipient ? gzipped.pipe(await ageEncryptor([recipient])) : gzipped;
  tar.once("error", (err) => {
    console.error(`Download of the filestore of backup ${backup.id} stopped:`, oneLine(err));
    body.destroy(err);
  });
  // The client going away stops the reading; the end of the response closes the storage.
  body.once("close", () => {
    tar.destroy();
    void storage.close().catch(() => {});
  });
  return new Response(Readable.toWeb(body) as ReadableStream, { status: 200, headers });
}
