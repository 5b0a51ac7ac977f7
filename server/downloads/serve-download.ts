import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { decryptedFileName, fileNameOf } from "@/server/backups/keys";
import type { Db } from "@/server/db";
import { DECLARED_LENGTH_HEADER } from "@/server/http/declared-length";
import { backupArtifacts, backups, downloadLinks, storageLocations } from "@/server/db/schema";
import type { PluginHost } from "@/server/plugins/host";
import { openBackupReadLocation } from "@/server/copies/read-location";
import type { HostedStorageClient } from "@/server/plugins/conform";
import { organizationIdentities } from "@/server/services/organization-keys";
import { decryptedDownload } from "./decrypted-download";
import { parseRange } from "./byte-range";
import { verifyLinkToken } from "./link-token";
import { refuse } from "./refuse";
import { serveExport } from "./serve-export";
import { serveReassembledFilestore } from "./reassembled-filestore";

const CONTENT_TYPE = { database: "application/gzip", filestore: "application/gzip", manifest: "application/json" } as const;

/** The first `limit` bytes of `source` (for a `bytes=a-b` range); stops reading the storage once they are out. */
function take(source: Readable, limit: number): Readable {
  return Readable.from(
    (async function* () {
      let left = limit;
      for await (const chunk of source) {
        const part = (chunk as Buffer).length > left ? (chunk as Buffer).subarray(0, left) : (chunk as Buffer);
        left -= part.length;
        yield part;
        if (left <= 0) break;
      }
    })(),
  );
}

/**
 * Serves a console-signed download link: checks the signature (403), the link (revoked: 403), its expiry
 * (410) and the backup (deleted: 404), then streams the object from storage with its file name, length and
 * byte ranges, so browsers and `curl -C -` can resume.
 */
export async function serveDownload(db: Db, plugins: PluginHost, request: Request, token: string): Promise<Response> {
  const claims = verifyLinkToken(token);
  if (!claims) return refuse(request, 403, "forbidden", "The link is not valid: it may have been copied incompletely or altered.");
  const [row] = await db
    .select({ link: downloadLinks, backup: backups, artifact: backupArtifacts, storage: storageLocations })
    .from(backups)
    .leftJoin(downloadLinks, eq(downloadLinks.id, claims.linkId))
    .leftJoin(backupArtifacts, and(eq(backupArtifacts.backupId, backups.id), eq(backupArtifacts.kind, claims.artifact)))
    .leftJoin(storageLocations, eq(storageLocations.id, backups.storageLocationId))
    .where(eq(backups.id, claims.backupId));
  if (!row || !row.artifact || row.backup.status !== "completed") return refuse(request, 404, "not_found", "The backup this link points to has been deleted.");
  if (!row.link || row.link.backupId !== claims.backupId) return refuse(request, 403, "forbidden", "The link is not valid.");
  if (row.link.revokedAt) return refuse(request, 403, "forbidden", "The link was revoked. Ask for a new one.");
  if (claims.expiresAt.getTime() <= Date.now() || row.link.expiresAt.getTime() <= Date.now()) {
    return refuse(request, 410, "gone", "The link has expired. Ask for a new one.");
  }
  if (!row.storage) return refuse(request, 404, "not_found", "The storage holding this backup no longer exists.");

  if (row.link.format) return serveExport(db, plugins, request, { link: row.link, backup: row.backup });
  if (row.artifact.layout === "objects") return serveReassembledFilestore(db, plugins, request, { backup: row.backup, encrypted: row.artifact.key.endsWith(".age") && !row.link.decrypted });
  if (row.link.decrypted) return serveDecrypted(db, plugins, request, { backup: row.backup, artifact: row.artifact, storage: row.storage });

  const size = row.artifact.size;
  const range = parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  }
  const length = range ? range.end - range.start + 1 : size;
  const headers: Record<string, string> = {
    "content-type": CONTENT_TYPE[claims.artifact],
    "content-disposition": `attachment; filename="${fileNameOf(row.artifact.key)}"`,
    [DECLARED_LENGTH_HEADER]: String(length),
    "accept-ranges": "bytes",
    // no-transform: a compressing layer would change the length and the ranges.
    "cache-control": "private, no-store, no-transform",
  };
  if (range) headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === "HEAD") return new Response(null, { status, headers });
  let storage: HostedStorageClient | undefined;
  let body: Readable;
  try {
    // The first healthy copy: the primary location, else a verified second copy.
    storage = (await openBackupReadLocation(db, plugins, row.backup)).storage;
    body = await storage.get(row.artifact.key, range ? { start: range.start } : undefined);
  } catch (err) {
    await storage?.close();
    // The storage's own words (an FTP reply, a folder name) are for the operator, not for whoever holds the link.
    console.error(`Download of ${row.artifact.key} from storage "${row.storage.name}" failed:`, (err as Error).message);
    return refuse(request, 502, "bad_gateway", "The storage could not return the file. The console's log has the details.");
  }
  const stream = range && range.end < size - 1 ? take(body, length) : body;
  stream.once("close", () => void storage.close());
  return new Response(Readable.toWeb(stream) as ReadableStream, { status, headers });
}

type DecryptedFile = {
  backup: typeof backups.$inferSelect;
  artifact: typeof backupArtifacts.$inferSelect;
  storage: typeof storageLocations.$inferSelect;
};

/** The bytes `start`…`start + length - 1` of `source` (the decrypted file has to be read from its start). */
function slice(source: Readable, start: number, length: number): Readable {
  return Readable.from(
    (async function* () {
      let skip = start;
      let left = length;
      for await (const chunk of source) {
        let part = chunk as Buffer;
        if (skip > 0) {
          const dropped = Math.min(skip, part.length);
          part = part.subarray(dropped);
          skip -= dropped;
        }
        if (part.length === 0) continue;
        if (part.length > left) part = part.subarray(0, left);
        left -= part.length;
        yield part;
        if (left <= 0) break;
      }
    })(),
  );
}

/**
 * Serves an encrypted backup file decrypted (`….gz`), as it streams from storage: its length follows from the age
 * file's, so browsers show progress. A byte range is served too, though the file is decrypted from its start to
 * reach it (the encrypted file's link serves ranges straight from storage).
 */
async function serveDecrypted(db: Db, plugins: PluginHost, request: Request, file: DecryptedFile): Promise<Response> {
  if (!file.artifact.encryptionKeyId) return refuse(request, 409, "conflict", "The file is encrypted to a key this console no longer holds: only that key's recovery kit can decrypt it. Ask for a link to the encrypted file.");
  const identities = await organizationIdentities(db, file.backup.orgId);
  let storage: HostedStorageClient | undefined;
  let decrypted: { length: number; body: Readable };
  try {
    storage = (await openBackupReadLocation(db, plugins, file.backup)).storage;
    decrypted = await decryptedDownload(await storage.get(file.artifact.key), file.artifact.size, identities);
  } catch (err) {
    await storage?.close();
    console.error(`Download of ${file.artifact.key} from storage "${file.storage.name}" failed:`, (err as Error).message);
    return refuse(request, 502, "bad_gateway", "The storage could not return the file. The console's log has the details.");
  }
  const { length: size, body } = decrypted;
  body.once("close", () => void storage.close());
  const range = parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable" || request.method === "HEAD") body.destroy();
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  const length = range ? range.end - range.start + 1 : size;
  const headers: Record<string, string> = {
    "content-type": "application/gzip",
    "content-disposition": `attachment; filename="${decryptedFileName(fileNameOf(file.artifact.key))}"`,
    [DECLARED_LENGTH_HEADER]: String(length),
    "accept-ranges": "bytes",
    "cache-control": "private, no-store, no-transform",
  };
  if (range) headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === "HEAD") return new Response(null, { status, headers });
  const stream = range ? slice(body, range.start, length) : body;
  if (stream !== body) stream.once("close", () => body.destroy());
  return new Response(Readable.toWeb(stream) as ReadableStream, { status, headers });
}
