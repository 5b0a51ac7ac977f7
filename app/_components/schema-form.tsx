"use client";

import type { ReactNode } from "react";
import type { ConfigFieldSchema, ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/shared/secret-mask";
import { changedIdentity, secretKept } from "./secret-retype";
import { Checkbox, Field, Input, Select, Textarea } from "./ui/field";

/** Initial values for a new configuration: each field's default, if it has one. */
export function schemaDefaults(schema: ConfigSchema | undefined): PluginConfig {
  const values: PluginConfig = {};
  for (const [name, field] of Object.entries(schema?.properties ?? {})) {
    if (field.default !== undefined) values[name] = field.default;
  }
  return values;
}

/** The part of a schema whose fields `keep` accepts, for forms that ask for some fields apart from the others. */
export function schemaSubset(schema: ConfigSchema, keep: (name: string) => boolean): ConfigSchema {
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => keep(name)));
  return { ...schema, properties, required: schema.required?.filter(keep) };
}

/** How a secret the server holds is shown: kept while left empty, unless where it goes changed (`retype`). */
type SavedSecret = { placeholder: string };

function FieldControl({
  id,
  name,
  field,
  value,
  onChange,
  invalid,
  savedSecret,
}: {
  id: string;
  name: string;
  field: ConfigFieldSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
  savedSecret?: SavedSecret;
}) {
  if (field.enum) {
    return (
      <Select id={id} name={name} value={String(value ?? "")} invalid={invalid} onChange={(e) => onChange(field.type === "string" ? e.target.value : Number(e.target.value))}>
        <option value="" disabled>
          Choose…
        </option>
        {field.enum.map((option, i) => (
          <option key={String(option)} value={String(option)}>
            {field.enumTitles?.[i] ?? String(option)}
          </option>
        ))}
      </Select>
    );
  }
  if (field.type === "integer" || field.type === "number") {
    return (
      <Input
        id={id}
        name={name}
        type="number"
        inputMode="numeric"
        min={field.minimum}
        max={field.maximum}
        value={value === undefined || value === null ? "" : String(value)}
        invalid={invalid}
        placeholder={field.placeholder}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  }
  const kept = savedSecret && secretKept(value);
  const common = {
    id,
    name,
    invalid,
    value: value === SECRET_MASK ? "" : String(value ?? ""),
    placeholder: kept ? savedSecret.placeholder : field.placeholder,
    autoComplete: field.secret ? "new-password" : "off",
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  if (field.multiline) return <Textarea rows={5} spellCheck={false} {...common} />;
  return <Input type={field.secret ? "password" : "text"} {...common} />;
}

/**
 * A configuration form rendered from a plugin contribution's JSON Schema. Secret fields that are already
 * stored show as empty with a hint; leaving them empty keeps the stored value — while the identity fields (host,
 * port, user, ...) keep their saved values: once one changes, the secrets must be typed again and their fields
 * say so. `saved`: the configuration as stored (secrets masked); `changedScope`: what else changed that decides
 * where the secrets go (e.g. "Server"); `keptPlaceholder`: what a kept secret's empty field says.
 */
export function SchemaForm({
  schema,
  value,
  onChange,
  errors = {},
  prefix = "config",
  idPrefix,
  saved,
  changedScope = [],
  keptPlaceholder = "Saved — leave empty to keep it",
  hints = {},
}: {
  schema: ConfigSchema;
  value: PluginConfig;
  onChange: (next: PluginConfig) => void;
  errors?: Record<string, string>;
  prefix?: string;
  idPrefix: string;
  saved?: PluginConfig;
  changedScope?: string[];
  keptPlaceholder?: string;
  /** Hints that replace a field's description, by field name. */
  hints?: Record<string, ReactNode>;
}) {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties);
  const changed = [...changedScope, ...changedIdentity(schema, value, saved)];
  if (entries.length === 0) return <p className="text-sm text-slate-500">Nothing to configure.</p>;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {entries.map(([name, field]) => {
        const id = `${idPrefix}-${name}`;
        const error = errors[`${prefix}.${name}`];
        const label = `${field.title ?? name}${required.has(name) ? "" : " (optional)"}`;
        if (field.type === "boolean") {
          return (
            <div key={name} className="sm:col-span-2">
              <Checkbox id={id} name={name} label={label} hint={hints[name] ?? field.description} checked={Boolean(value[name])} onChange={(e) => onChange({ ...value, [name]: e.target.checked })} />
              {error && <p className="mt-1 text-xs text-red-600">{error}</p>}
            </div>
          );
        }
        const isSaved = field.secret && (value[name] === SECRET_MASK || saved?.[name] === SECRET_MASK);
        const retype = isSaved && changed.length > 0 && secretKept(value[name]);
        const hint = retype ? (
          <span className="text-amber-700">
            {changed.join(", ")} changed: type the {(field.title ?? name).toLowerCase()} again. A saved one is only sent where it was saved for.
          </span>
        ) : (
          (hints[name] ?? field.description)
        );
        const savedSecret = isSaved ? { placeholder: retype ? "Type it again" : keptPlaceholder } : undefined;
        return (
          <div key={name} className={field.multiline ? "sm:col-span-2" : ""}>
            <Field label={label} hint={hint} error={error} htmlFor={id}>
              <FieldControl id={id} name={name} field={field} value={value[name]} invalid={Boolean(error)} savedSecret={savedSecret} onChange={(v) => onChange({ ...value, [name]: v })} />
            </Field>
          </div>
        );
      })}
    </div>
  );
}
