import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { MemoryLocker, Server } from "@tus/server";
import { hasRole, type Principal } from "@/server/auth/principal";
import { getDb } from "@/server/db";
import { pluginHost } from "@/server/plugins/process-host";
import { createUploadImport } from "@/server/services/imports";
import { runImport } from "./run-import";
import { ImportUploadStore } from "./upload-store";

/** Where browsers upload files to import (tus 1.0.0); the only path the console's 1 MB body cap leaves open (server/http/body-limit.ts). */
export const UPLOAD_PATH = "/api/uploads";
/** The largest file an upload imports. */
export const MAX_UPLOAD_BYTES = 1024 ** 4;

const store = new ImportUploadStore();
const principals = new WeakMap<Request, Principal>();
/** Uploads outlive the request that started them: nothing here stops them but their own end. */
const running = new AbortController();

/** A refusal tus answers as it is (status and a one-line body). */
const refuse = (status_code: number, body: string) => ({ status_code, body });

async function startImport(req: Request, upload: { id: string; size?: number; metadata?: Record<string, string | null> }): Promise<void> {
  const actor = principals.get(req);
  if (!actor) throw refuse(401, "Sign in to upload");
  const environmentId = upload.metadata?.environmentId ?? "";
  const fileName = (upload.metadata?.filename ?? "").slice(0, 255) || "upload";
  if (upload.size === undefined) throw refuse(400, "Send the file's size (Upload-Length) when the upload starts");
  if (!/^[0-9a-f-]{36}$/i.test(environmentId)) throw refuse(400, "Say which environment the file is imported into (metadata environmentId)");
  const db = getDb();
  const plugins = pluginHost();
  let backupId: string;
  try {
    backupId = await createUploadImport(db, plugins, actor, { environmentId, fileName });
  } catch (err) {
    throw refuse(400, (err as Error).message.split("\n")[0]!);
  }
  const input = new PassThrough();
  store.start(upload.id, { orgId: actor.orgId, backupId, size: upload.size, offset: 0, input });
  void runImport(db, plugins, backupId, async () => ({ fileName, stream: input }), running.signal).finally(() => input.destroy());
}

const tus = new Server({
  path: UPLOAD_PATH,
  datastore: store,
  locker: new MemoryLocker(),
  relativeLocation: true,
  maxSize: MAX_UPLOAD_BYTES,
  namingFunction: () => randomUUID(),
  onUploadCreate: async (req, upload) => {
    await startImport(req as unknown as Request, upload);
    return {};
  },
  onIncomingRequest: async (req, id) => {
    const actor = principals.get(req as unknown as Request);
    const session = store.sessions.get(id);
    // Someone else's upload is as unknown as a finished one.
    if (session && actor && session.orgId !== actor.orgId) throw refuse(404, "No such upload");
  },
});

/**
 * Answers one tus request for a signed-in operator (session cookie or API token, checked on every request). Every
 * request but OPTIONS carries Tus-Resumable, a header no other site can make a browser send without a CORS
 * preflight the console never grants, so the cookie cannot be used by another site.
 */
export async function handleUpload(req: Request, actor: Principal | null): Promise<Response> {
  if (!actor) return Response.json({ error: { code: "unauthorized", message: "Sign in to upload" } }, { status: 401 });
  if (!hasRole(actor.role, "operator")) return Response.json({ error: { code: "forbidden", message: "Only operators and above import backups" } }, { status: 403 });
  if (req.method === "GET") return Response.json({ error: { code: "method_not_allowed", message: "Uploads are written, never read back" } }, { status: 405 });
  if (req.method !== "OPTIONS" && !req.headers.get("tus-resumable")) return Response.json({ error: { code: "bad_request", message: "Send Tus-Resumable: 1.0.0 (a tus client)" } }, { status: 412 });
  principals.set(req, actor);
  const response = await tus.handleWeb(req as never);
  const created = req.method === "POST" && response.status === 201 ? uploadBackupId(response.headers.get("location")?.split("/").pop() ?? "") : null;
  if (!created) return response;
  // The browser follows the import's progress by its backup.
  const headers = new Headers(response.headers);
  headers.set("Safehold-Backup-Id", created);
  headers.set("Access-Control-Expose-Headers", "Location, Upload-Offset, Safehold-Backup-Id");
  return new Response(response.body, { status: response.status, headers });
}

/** The import an upload feeds. */
function uploadBackupId(uploadId: string): string | null {
  return store.sessions.get(uploadId)?.backupId ?? null;
}
