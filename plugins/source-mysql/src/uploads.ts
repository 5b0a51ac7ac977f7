import type { FolderWording } from "@safehold/plugin-helpers";

/** How messages name the uploads folder (archive, backup and restore). */
export const UPLOADS: FolderWording = { noun: "uploads", folder: "uploads folder", aFolder: "an uploads folder" };

/** Why the uploads folder cannot be read, as the end of a sentence. */
export function missingUploads(folder: string): string {
  return `the uploads folder ${folder} does not exist on the server: set the uploads folder to the application's upload or documents folder, or leave it empty`;
}
