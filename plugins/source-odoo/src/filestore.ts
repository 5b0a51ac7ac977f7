import type { FolderWording } from "@safehold/plugin-helpers";

/** How messages name the filestore (archive, backup and restore). */
export const FILESTORE: FolderWording = { noun: "filestore", folder: "filestore", aFolder: "a filestore" };

/** Why the filestore cannot be read, as the end of a sentence. */
export function missingFilestore(folder: string): string {
  return `the filestore folder ${folder} does not exist on the server: set the Odoo data folder (dataDir) to Odoo's data_dir, or set the filestore folder (filestorePath)`;
}
