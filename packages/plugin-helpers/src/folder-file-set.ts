import type { CompressionPlan, FileSet, ServerConnection } from "@safehold/plugin-api";
import { readFolderFiles } from "./folder-file-read";
import { listFolder } from "./folder-listing";
import type { FolderWording } from "./folder-wording";

/**
 * A folder on the server handed over file by file (`fileLayout: "objects"`): one `find` lists it, one `tar` per
 * batch reads the files asked for (gzip-compressed on the server when `compression` says so), never a command
 * per file. Names are passed NUL-separated, so any name (spaces, newlines, UTF-8) goes through unchanged; names
 * that are not UTF-8, absolute or through `..` are refused.
 */
export function folderFileSet(server: ServerConnection, folder: string, words: FolderWording, compression: CompressionPlan): FileSet {
  return {
    list: ({ signal }) => listFolder(server, folder, words, signal),
    read: (paths, { signal }) => readFolderFiles(server, folder, words, compression, paths, signal),
  };
}
