import type { Readable } from "node:stream";
import type { ServerConnection } from "@safehold/plugin-api";
import { completedOutput } from "../../source-postgres/src/process-output";
import { commandError, tarError } from "./server-commands";

/** Why the filestore cannot be read, as the end of a sentence. */
export function missingFilestore(folder: string): string {
  return `the filestore folder ${folder} does not exist on the server: set the Odoo data folder (dataDir) to Odoo's data_dir, or set the filestore folder (filestorePath)`;
}

/** How many files the filestore holds and their total size, read with `find` (metadata only, streamed). */
export async function filestoreStats(server: ServerConnection, folder: string, signal: AbortSignal): Promise<{ files: number; bytes: number }> {
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
  if (exit.code !== 0) throw new Error(`Reading the filestore folder ${folder} failed: ${commandError("find", { ...exit, stderr: stderr.trim() })}`);
  return { files, bytes };
}

/** The filestore as a tar stream, made by `tar` on the server; a tar that fails makes the stream error. */
export function streamFilestore(server: ServerConnection, folder: string, signal: AbortSignal): Readable {
  const handle = server.exec("tar", ["-C", folder, "-cf", "-", "."], { signal });
  return completedOutput(handle, ({ code, signal: killedBy, stderr }) =>
    killedBy ? `tar was stopped by signal ${killedBy} before the filestore archive was complete` : `tar failed archiving the filestore (exit code ${code}): ${tarError(stderr)}`,
  );
}
