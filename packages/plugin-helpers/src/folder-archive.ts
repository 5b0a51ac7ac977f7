import type { CompressionPlan, ServerConnection, SourceStreamArtifact } from "@safehold/plugin-api";
import type { FolderWording } from "./folder-wording";
import { completedOutput } from "./process-output";
import { commandError, tarError } from "./server-commands";

/*
 * The backup side of a folder backed up as a tar artifact (Odoo's filestore, a CRM's uploads folder): its size,
 * then its content as a tar stream made on the server. The restore side is `StagedFolder`.
 */

/** How many files the folder holds and their total size, read with `find` (metadata only, streamed). */
export async function folderStats(server: ServerConnection, folder: string, signal: AbortSignal, words: FolderWording): Promise<{ files: number; bytes: number }> {
  const handle = server.exec("find", [folder, "-type", "f", "-printf", "%s\\n"], { signal });
  let stderr = "";
  handle.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString("utf8");
  });
  let files = 0;
  let bytes = 0;
  let partial = "";
  for await (const chunk of handle.stdout) {
    const lines = (partial + String(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      files += 1;
      bytes += Number(line) || 0;
    }
  }
  const exit = await handle.exit;
  if (exit.code !== 0) throw new Error(`Reading the ${words.noun} folder ${folder} failed: ${commandError("find", { ...exit, stderr: stderr.trim() })}`);
  return { files, bytes };
}

/**
 * The folder as a tar stream, made by `tar` on the server (gzip-compressed there, at low priority, when
 * `compression` says so); a tar that fails makes the stream error.
 */
export function streamFolder(server: ServerConnection, folder: string, signal: AbortSignal, words: FolderWording, compression: CompressionPlan): Omit<SourceStreamArtifact, "kind"> {
  const codec = compression.on === "server" ? compression.codec : undefined;
  const handle = server.exec("tar", ["-C", folder, "-cf", "-", "."], { signal, ...(codec ? { compressOutput: codec, lowPriority: true } : {}) });
  const stream = completedOutput(handle, ({ code, signal: killedBy, stderr }) =>
    killedBy ? `tar was stopped by signal ${killedBy} before the ${words.noun} archive was complete` : `tar failed archiving the ${words.folder} (exit code ${code}): ${tarError(stderr)}`,
  );
  return codec ? { stream, encoding: "gzip" } : { stream };
}
