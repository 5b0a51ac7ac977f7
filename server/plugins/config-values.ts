import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { ValidationError } from "@/server/errors";
import type { ConfigSchema, PluginConfig } from "./contracts";
import { SECRET_MASK } from "./secret-mask";


const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true });
ajv.addKeyword({ keyword: "secret", schemaType: "boolean" });
ajv.addKeyword({ keyword: "multiline", schemaType: "boolean" });
ajv.addKeyword({ keyword: "placeholder", schemaType: "string" });
ajv.addKeyword({ keyword: "enumTitles", schemaType: "array" });
ajv.addFormat("hostname", true);

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

function describe(error: ErrorObject, schema: ConfigSchema): string {
  const name = fieldPath(error);
  const title = schema.properties[name]?.title ?? name;
  switch (error.keyword) {
    case "required":
      return `${title} is required`;
    case "additionalProperties":
      return `${name} is not a setting of this plugin`;
    case "enum":
      return `${title} must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
    default:
      return `${title} ${error.message ?? "is invalid"}`;
  }
}

/**
 * Validates a full configuration (secrets included) against the contribution's schema, filling defaults.
 * Field errors are keyed `<prefix>.<field>` so the UI can show them next to the field.
 */
export function validateConfig(schema: ConfigSchema, config: PluginConfig, prefix = "config"): PluginConfig {
  const value = structuredClone(config);
  for (const [name, field] of Object.entries(schema.properties)) {
    // Empty optional form fields arrive as "": treat them as unset.
    if (value[name] === "" && !(schema.required ?? []).includes(name) && field.type !== "string") delete value[name];
  }
  const validate = compileConfigSchema(schema);
  if (!validate(value)) {
    const fields: Record<string, string> = {};
    for (const error of validate.errors ?? []) {
      const key = `${prefix}.${fieldPath(error)}`;
      fields[key] ??= describe(error, schema);
    }
    throw new ValidationError(`Invalid configuration: ${Object.values(fields).join("; ")}`, fields);
  }
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

/** An edited configuration with each secret left as SECRET_MASK, empty or omitted replaced by the stored value. */
export function restoreMaskedSecrets(schema: ConfigSchema, incoming: PluginConfig, storedSecrets: PluginConfig): PluginConfig {
  const merged: PluginConfig = { ...incoming };
  for (const name of secretFieldNames(schema)) {
    const untouched = merged[name] === SECRET_MASK || merged[name] === undefined || merged[name] === "";
    if (untouched && storedSecrets[name] !== undefined) {
      merged[name] = storedSecrets[name];
    }
  }
  return merged;
}
