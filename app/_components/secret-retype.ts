import type { ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/shared/secret-mask";

function comparable(field: ConfigSchema["properties"][string], value: unknown): string {
  return JSON.stringify(value === undefined || value === "" ? (field.default ?? null) : value);
}

/**
 * The titles of the identity fields (host, port, user, bucket, folder, ...) whose value differs from the saved
 * configuration's. A saved secret is only ever sent where it was saved for, so while any of these changed the
 * console asks for the secrets again: forms say so before saving, the server refuses the save otherwise.
 * A secret that is itself an identity field (a webhook URL) counts only once retyped, and then it was typed anyway.
 */
export function changedIdentity(schema: ConfigSchema, value: PluginConfig, saved: PluginConfig | undefined): string[] {
  if (!saved) return [];
  return Object.entries(schema.properties)
    .filter(([name, field]) => field.identity && !field.secret && comparable(field, value[name]) !== comparable(field, saved[name]))
    .map(([name, field]) => field.title ?? name);
}

/** Whether a secret field still holds the saved value (shown masked, or left empty). */
export function secretKept(value: unknown): boolean {
  return value === SECRET_MASK || value === undefined || value === "";
}
