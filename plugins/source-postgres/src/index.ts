import type { PluginActivation } from "@safehold/plugin-api";
import { postgresSource } from "./postgres-source";

export function activate(): PluginActivation {
  return { sources: { postgres: postgresSource } };
}
