export { formatBytes } from "./format";
export { folderStats, streamFolder } from "./folder-archive";
export type { FolderWording } from "./folder-wording";
export { completedOutput, feedCommand, readText } from "./process-output";
export { restoreTag } from "./restore-tag";
export { safeTarStream } from "./safe-tar";
export { commandError, folderExists, moveFolder, mustRun, removeFolder, runCommand, tarError, type CommandResult } from "./server-commands";
export { StagedFolder, type FolderSwap } from "./staged-folder";
export { ZipWriter, type ZipEntryOptions } from "./zip-writer";
