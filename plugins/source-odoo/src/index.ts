import type { PluginActivation } from "@safehold/plugin-api";
import { odooSource } from "./odoo-source";

export function activate(): PluginActivation {
  return { sources: { odoo: odooSource } };
}
