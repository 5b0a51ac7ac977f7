import type { PluginActivation } from "@safehold/plugin-api";
import { s3StorageProvider } from "./s3-storage";

export { S3_PRESETS, type S3Preset, type S3PresetId } from "./presets";

export function activate(): PluginActivation {
  return { storageProviders: { s3: s3StorageProvider } };
}
