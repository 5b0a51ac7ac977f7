"use client";

import type { ConfigFieldSchema, ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/server/plugins/secret-mask";
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

function FieldControl({ id, name, field, value, onChange, invalid }: { id: string; name: string; field: ConfigFieldSchema; value: unknown; onChange: (v: unknown) => void; invalid: boolean }) {
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
  const stored = value === SECRET_MASK;
  const common = {
    id,
    name,
    invalid,
    value: stored ? "" : String(value ?? ""),
    placeholder: stored ? "Saved — leave empty to keep it" : field.placeholder,
    autoComplete: field.secret ? "new-password" : "off",
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  if (field.multiline) return <Textarea rows={5} spellCheck={false} {...common} />;
  return <Input type={field.secret ? "password" : "text"} {...common} />;
}

/**
 * A configuration form rendered from a plugin contribution's JSON Schema. Secret fields that are already
 * stored show as empty with a hint; leaving them empty keeps the stored value.
 */
export function SchemaForm({ schema, value, onChange, errors = {}, prefix = "config", idPrefix }: { schema: ConfigSchema; value: PluginConfig; onChange: (next: PluginConfig) => void; errors?: Record<string, string>; prefix?: string; idPrefix: string }) {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties);
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
              <Checkbox id={id} name={name} label={label} hint={field.description} checked={Boolean(value[name])} onChange={(e) => onChange({ ...value, [name]: e.target.checked })} />
              {error && <p className="mt-1 text-xs text-red-600">{error}</p>}
            </div>
          );
        }
        return (
          <div key={name} className={field.multiline ? "sm:col-span-2" : ""}>
            <Field label={label} hint={field.description} error={error} htmlFor={id}>
              <FieldControl id={id} name={name} field={field} value={value[name]} invalid={Boolean(error)} onChange={(v) => onChange({ ...value, [name]: v })} />
            </Field>
          </div>
        );
      })}
    </div>
  );
}
