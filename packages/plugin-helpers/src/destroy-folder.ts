import type { ManagedServer } from "@safehold/plugin-api";
import { folderExists, removeFolder } from "./server-commands";

/**
 * Removes an environment's folder for "Destroy environment": only inside the server's allowed folders (links
 * followed) and never a mount point; a folder already gone is not an error. Returns what it removed.
 */
export async function destroyFolder(server: ManagedServer, folder: string, what: string): Promise<string[]> {
  const resolved = await server.resolveFolder(folder, "replace");
  if (!(await folderExists(server, resolved))) return [];
  await removeFolder(server, resolved);
  return [`${what} ${resolved}`];
}
