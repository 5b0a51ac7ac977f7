import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { ValidationError } from "@/server/errors";
import type { ConfigSchema, PluginConfig } from "./contracts";
import { SECRET_MASK } from "@/shared/secret-mask";
import { isOneLine } from "@/server/validation/one-line";


const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
ajv.addKeyword({ keyword: "secret", schemaType: "boolean" });
ajv.addKeyword({ keyword: "multiline", schemaType: "boolean" });
ajv.addKeyword({ keyword: "placeholder", schemaType: "string" });
ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
ajv.addKeyword({ keyword: "enumTitles", schemaType: "array" });
for (const keyword of ["identity", "dataLocation", "copyTarget", "discovered"]) ajv.addKeyword({ keyword, schemaType: "boolean" });
ajv.addFormat("hostname", true);
ajv.addFormat("uri", (value: string) => URL.canParse(value));
ajv.addFormat("server-path", (value: string) => value.startsWith("/"));
ajv.addFormat("database-name", true);
// What a pinned host key looks like is the plugin's business (it checks the key it pins).
ajv.addFormat("host-key", true);


const compiled = new WeakMap<ConfigSchema, ValidateFunction>();

/** Compiles a schema; throws with Ajv's message when it is not a valid JSON Schema. */
export function compileConfigSchema(schema: ConfigSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, additionalProperties: schema.additionalProperties ?? false });
    compiled.set(schema, validate);
  }
  return validate;
}

function fieldPath(error: ErrorObject): string {
  const missing = error.keyword === "required" ? (error.params as { missingProperty: string }).missingProperty : undefined;
  const extra = error.keyword === "additionalProperties" ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
  const base = error.instancePath.replace(/^\//, "").replace(/\//g, ".");
  return [base, missing ?? extra].filter(Boolean).join(".");
}

/** What common patterns mean, for plugins that do not say it themselves (`errorMessage`). */
const PATTERN_WORDS: Record<string, string> = {
  "^/": "must be an absolute path starting with /",
  "^https?://": "must start with http:// or https://",
  "^[^-]": "must not start with -",
};

const FORMAT_WORDS: Record<string, string> = { uri: "must be a URL", "server-path": "must be an absolute path starting with /" };

const TYPE_WORDS: Record<string, string> = { integer: "must be a whole number", number: "must be a number", string: "must be text", boolean: "must be yes or no" };

/** A field's error in words, from its title and the keyword that failed: never ajv's schema notation. */
function describe(error: ErrorObject, schema: ConfigSchema): string {
  const name = fieldPath(error);
  const field = schema.properties[name];
  const title = field?.title ?? name;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${title} is required`;
    case "additionalProperties":
      return `${name} is not a setting of this plugin`;
    case "enum":
      return `${title} must be one of: ${(field?.enumTitles ?? (params.allowedValues as unknown[])).join(", ")}`;
    case "type":
      return `${title} ${TYPE_WORDS[String(params.type)] ?? "has the wrong type"}`;
    case "minLength":
      return Number(params.limit) <= 1 ? `${title} is required` : `${title} must be at least ${String(params.limit)} characters long`;
    case "maxLength":
      return `${title} must be at most ${String(params.limit)} characters long`;
    case "minimum":
      return `${title} must be at least ${String(params.limit)}`;
    case "maximum":
      return `${title} must be at most ${String(params.limit)}`;
    case "pattern":
      return field?.errorMessage ?? (PATTERN_WORDS[String(params.pattern)] ? `${title} ${PATTERN_WORDS[String(params.pattern)]}` : `${title} is not in the expected form${field?.description ? ` (${field.description})` : ""}`);
    case "format":
      return field?.errorMessage ?? `${title} ${FORMAT_WORDS[String(params.format)] ?? "is not valid"}`;
    default:
      return `${title} is not valid`;
  }
}

/**
 * Validates a full configuration (secrets included) against the contribution's schema, filling defaults.
 * Field errors are keyed `<prefix>.<field>` so the UI can show them next to the field.
 */
export function validateConfig(schema: ConfigSchema, config: PluginConfig, prefix = "config", options: { partial?: boolean } = {}): PluginConfig {
  const value = structuredClone(config);
  // A partial configuration (the connection fields a discovery needs) is checked field by field, without `required`.
  if (options.partial) schema = { ...schema, required: [] };
  for (const [name, field] of Object.entries(schema.properties)) {
    // Empty optional form fields arrive as "": treat them as unset.
    if (value[name] === "" && !(schema.required ?? []).includes(name) && field.type !== "string") delete value[name];
  }
  const validate = compileConfigSchema(schema);
  const fields: Record<string, string> = {};
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      const key = `${prefix}.${fieldPath(error)}`;
      fields[key] ??= describe(error, schema);
    }
  }
  for (const [name, field] of Object.entries(schema.properties)) {
    const text = value[name];
    if (field.type === "string" && !field.multiline && typeof text === "string" && !isOneLine(text)) {
      fields[`${prefix}.${name}`] ??= `${field.title ?? name} must be one line, without control characters (line breaks, tabs, ...)`;
    }
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(`Invalid configuration: ${Object.values(fields).join("; ")}`, fields);
  return value;
}

export function secretFieldNames(schema: ConfigSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, field]) => field.secret)
    .map(([name]) => name);
}

/** Splits a configuration into the plain part (jsonb) and the secret part (encrypted column). */
export function splitSecrets(schema: ConfigSchema, config: PluginConfig): { config: PluginConfig; secrets: PluginConfig } {
  const secretNames = new Set(secretFieldNames(schema));
  const plain: PluginConfig = {};
  const secrets: PluginConfig = {};
  for (const [name, value] of Object.entries(config)) {
    (secretNames.has(name) ? secrets : plain)[name] = value;
  }
  return { config: plain, secrets };
}

/** The configuration as the browser and the API see it: each stored secret replaced by SECRET_MASK. */
export function maskedConfig(schema: ConfigSchema, config: PluginConfig, secrets: PluginConfig): PluginConfig {
  const masked: PluginConfig = { ...config };
  for (const name of secretFieldNames(schema)) {
    if (secrets[name] !== undefined && secrets[name] !== "") masked[name] = SECRET_MASK;
  }
  return masked;
}

function untouched(value: unknown): boolean {
  return value === SECRET_MASK || value === undefined || value === "";
}

/** A field's title inside a sentence: "password", but "URL" stays as it is. */
function fieldWord(schema: ConfigSchema, name: string): string {
  const title = schema.properties[name]?.title ?? name;
  return /^[A-Z][a-z]/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title;
}

/** An identity field's value for comparison: what an omitted field defaults to, and a masked secret as stored. */
function identityValue(schema: ConfigSchema, name: string, config: PluginConfig, stored: PluginConfig): string {
  const field = schema.properties[name]!;
  const value = field.secret && untouched(config[name]) ? stored[name] : config[name];
  return JSON.stringify(value === undefined || value === "" ? (field.default ?? null) : value);
}

/** The titles of the identity fields whose value differs between two configurations. */
export function changedIdentity(schema: ConfigSchema, incoming: PluginConfig, stored: PluginConfig): string[] {
  return Object.entries(schema.properties)
    .filter(([name, field]) => field.identity && identityValue(schema, name, incoming, stored) !== identityValue(schema, name, stored, stored))
    .map(([name, field]) => field.title ?? name);
}

export type StoredConfig = {
  /** The stored configuration, secrets included. */
  config: PluginConfig;
  /** What else decides where the secrets go and changed (e.g. "server" when an environment moves to another server). */
  changedScope?: string[];
};

/**
 * An edited configuration with each secret left as SECRET_MASK, empty or omitted replaced by the stored value —
 * but only while every identity field (where the secret goes: host, port, user, bucket, ...) is unchanged. A
 * stored secret never follows a configuration to another destination: the caller must type it again.
 */
export function restoreMaskedSecrets(schema: ConfigSchema, incoming: PluginConfig, stored: StoredConfig, prefix = "config"): PluginConfig {
  const merged: PluginConfig = { ...incoming };
  const changed = [...(stored.changedScope ?? []), ...changedIdentity(schema, incoming, stored.config)];
  const missing: Record<string, string> = {};
  for (const name of secretFieldNames(schema)) {
    if (!untouched(merged[name]) || untouched(stored.config[name])) continue;
    if (changed.length > 0) missing[name] = `Type the ${fieldWord(schema, name)} again: ${changed.join(", ")} changed`;
    else merged[name] = stored.config[name];
  }
  const names = Object.keys(missing);
  if (names.length > 0) {
    const words = names.map((name) => fieldWord(schema, name));
    const list = words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : words[0];
    throw new ValidationError(
      `Type the ${list} again: ${changed.join(", ")} changed, and a saved secret is only ever sent where it was saved for`,
      Object.fromEntries(names.map((name) => [`${prefix}.${name}`, missing[name]!])),
    );
  }
  return merged;
}

/** The network destinations a configuration names (`hostname` and `uri` fields): where the console will connect. */
export function destinationFields(schema: ConfigSchema, config: PluginConfig): Array<{ name: string; value: string; format: "hostname" | "uri" }> {
  return Object.entries(schema.properties).flatMap(([name, field]) =>
    (field.format === "hostname" || field.format === "uri") && typeof config[name] === "string" && config[name] !== "" ? [{ name, value: config[name] as string, format: field.format }] : [],
  );
}
