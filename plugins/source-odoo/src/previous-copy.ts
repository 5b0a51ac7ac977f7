import type { PreviousCopy, SourceContext } from "@safehold/plugin-api";
import { dropMovedAsideDatabase } from "@safehold/postgres-tools";
import { removeFolder } from "@safehold/plugin-helpers";
import { filestoreFolder, odooConfig } from "./config";

/**
 * Removes what a restore moved aside: the database (through the postgres source's own checks) and the
 * filestore folder, but only a folder named as this environment's moved-aside filestore, never live data.
 */
export async function discardOdooCopy(context: SourceContext, copy: PreviousCopy): Promise<void> {
  const folder = copy.filestorePath;
  if (folder !== undefined && folder !== null) {
    const target = await context.server.resolveFolder(filestoreFolder(odooConfig(context.config)), "replace");
    if (typeof folder !== "string" || !folder.startsWith(`${target}.before-`) || !/^[a-z0-9]{8}$/.test(folder.slice(`${target}.before-`.length))) {
      throw new Error(`Refusing to remove folder "${String(folder)}": it is not a filestore that a restore of ${target} moved aside`);
    }
  }
  await dropMovedAsideDatabase(context, copy);
  if (typeof folder === "string") await removeFolder(context.server, folder);
}
