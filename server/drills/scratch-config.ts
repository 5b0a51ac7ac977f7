import type { ConfigSchema, PluginConfig } from "@/server/plugins/contracts";

/** The scratch database a drill loads into, from its id: `safehold_drill_<first 8 hex digits>`. */
export function scratchDatabaseName(drillId: string): string {
  return `safehold_drill_${drillId.replace(/-/g, "").slice(0, 8)}`;
}

/**
 * The environment's source configuration pointed at a scratch copy, from what the source's manifest declares: its
 * copy-target databases get the scratch name (folders derived from them follow), copy-target folders stay, and
 * other optional folders (overrides of a derived folder, e.g. where the files live) are cleared so nothing derived
 * from them can be an environment's own. The source stages with `targetIsNew`, so it refuses to load over anything
 * that exists.
 */
export function scratchConfig(schema: ConfigSchema, config: PluginConfig, drillId: string): PluginConfig {
  const scratch: PluginConfig = { ...config };
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties)) {
    if (field.copyTarget && field.format === "database-name") scratch[name] = scratchDatabaseName(drillId);
    else if (!field.copyTarget && field.format === "server-path" && !required.has(name)) delete scratch[name];
  }
  return scratch;
}
