import type { PluginActivation } from "@safehold/plugin-api";
import { sftpStorageProvider } from "./sftp-storage";

export function activate(): PluginActivation {
  return { storageProviders: { sftp: sftpStorageProvider } };
}
