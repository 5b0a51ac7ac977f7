import type { PluginActivation } from "@safehold/plugin-api";
import { mysqlSource } from "./mysql-source";

export function activate(): PluginActivation {
  return { sources: { mysql: mysqlSource } };
}
