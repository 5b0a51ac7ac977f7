import type { PluginActivation } from "@safehold/plugin-api";
import { localStorageProvider } from "./local-storage";

export function activate(): PluginActivation {
  return { storageProviders: { local: localStorageProvider } };
}
