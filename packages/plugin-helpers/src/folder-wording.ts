/**
 * How a plugin's messages name the folder it backs up, so that one implementation keeps each plugin's own words
 * (Odoo's filestore, a CRM's uploads folder).
 */
export type FolderWording = {
  /** Before "archive", "folder" or "extraction": "filestore" reads "the filestore archive", "uploads" reads "the uploads archive". */
  noun: string;
  /** The folder itself: "filestore" reads "tar failed archiving the filestore", "uploads folder" reads "… the uploads folder". */
  folder: string;
  /** With its article: "a filestore", "an uploads folder" ("… which a filestore never holds"). */
  aFolder: string;
};
