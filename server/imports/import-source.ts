import { posix } from "node:path";
import type { Readable } from "node:stream";
import { z } from "zod";
import type { ManagedServer } from "@/server/plugins/contracts";
import { fetchImportUrl } from "./fetch-url";

/** Where an imported file comes from: a URL the console fetches, or a file on the environment's server. */
export const importFrom = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("url"), url: z.string().trim().min(1).max(4000) }),
  z.object({ kind: z.literal("server"), path: z.string().trim().min(2).max(4000).startsWith("/", "Give an absolute path on the server") }),
]);
export type ImportFrom = z.infer<typeof importFrom>;

/** The file on the server, once its real path (links followed) is inside the server's allowed folders. */
export async function checkedServerFile(server: ManagedServer, path: string): Promise<string> {
  return await server.resolveFolder(path, "read");
}

/** Opens the file to import as a stream; `server` is the environment's server, under its admin's rules. */
export async function openImportFile(from: ImportFrom, server: () => Promise<ManagedServer>, signal: AbortSignal): Promise<{ fileName: string; stream: Readable }> {
  if (from.kind === "url") return await fetchImportUrl(from.url, signal);
  const resolved = await checkedServerFile(await server(), from.path);
  return { fileName: posix.basename(resolved), stream: await (await server()).readFile(resolved) };
}
