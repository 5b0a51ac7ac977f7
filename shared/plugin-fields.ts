import type { ConfigFieldSchema, ConfigSchema, PluginConfig } from "@safehold/plugin-api";

type Annotation = "dataLocation" | "copyTarget" | "discovered" | "identity" | "secret";

/** The names of a schema's fields that carry `annotation` (e.g. a source's `copyTarget` fields), in schema order. */
export function fieldsMarked(schema: ConfigSchema | undefined, annotation: Annotation): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, field]: [string, ConfigFieldSchema]) => field[annotation] === true)
    .map(([name]) => name);
}

/** The values of `names` in `config`, for comparing two configurations; null when none of them is set. */
export function valuesOf(config: PluginConfig, names: string[]): string | null {
  if (names.every((name) => config[name] === undefined)) return null;
  return JSON.stringify(names.map((name) => config[name] ?? null));
}

/** `{ name: config[name] }` for each of `names` that `config` sets. */
export function pick(config: PluginConfig, names: string[]): PluginConfig {
  return Object.fromEntries(names.filter((name) => config[name] !== undefined).map((name) => [name, config[name]]));
}
