import type { PluginConfig } from "@safehold/plugin-api";

const FIELD = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
const OPTIONAL_PART = /\[([^[\]]*)\]/g;

/** The field names a contribution's `summary` template uses. */
export function summaryFields(template: string): string[] {
  return [...template.matchAll(FIELD)].map((m) => m[1]!);
}

function text(config: PluginConfig, name: string): string {
  const value = config[name];
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/**
 * Fills a contribution's `summary` template with a configuration's values, leaving out each `[...]` part whose
 * fields are empty. Empty when the contribution declares no summary or its fields are all empty.
 */
export function configSummary(contribution: { summary?: string | null } | undefined, config: PluginConfig): string {
  const template = contribution?.summary;
  if (!template) return "";
  const fill = (part: string) => part.replace(FIELD, (_, name: string) => text(config, name));
  if (!summaryFields(template).some((name) => text(config, name))) return "";
  const withParts = template.replace(OPTIONAL_PART, (_, part: string) => (summaryFields(part).every((name) => text(config, name)) ? part : ""));
  return fill(withParts).trim();
}
