import type { PluginActivation } from "@safehold/plugin-api";
import { ftpStorageProvider } from "./ftp-storage";

export function activate(): PluginActivation {
  return { storageProviders: { ftp: ftpStorageProvider } };
}
