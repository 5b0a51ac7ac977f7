import type { ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/shared/secret-mask";

/**
 * The host key a configuration pins (the field whose format is `host-key`): shortened, the full value on hover.
 * When the schema has such a field but it is empty, a reminder that nothing is pinned yet.
 */
export function PinnedFingerprint({ config, schema }: { config: PluginConfig; schema: ConfigSchema | undefined }) {
  const field = Object.entries(schema?.properties ?? {}).find(([, f]) => f.format === "host-key")?.[0];
  if (!field) return null;
  const full = typeof config[field] === "string" ? config[field] : "";
  if (!full) return <span className="text-amber-700">Host key not pinned yet: test the connection</span>;
  // Keep the algorithm prefix (`SHA256:`) and enough of the hash to tell keys apart at a glance.
  const shown = full.indexOf(":") + 1 + 12;
  return <span title={full}>{full.length > shown ? `${full.slice(0, shown)}…` : full}</span>;
}

function displayValue(value: unknown, secret: boolean): string {
  if (secret) return value === SECRET_MASK ? "••••• (saved)" : "Not set";
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

/** A plugin configuration as a list of its fields' titles and values; secrets are never shown. */
export function ConfigDetails({ schema, config }: { schema: ConfigSchema | undefined; config: PluginConfig }) {
  const rows = schema
    ? Object.entries(schema.properties).map(([name, field]) => ({ name, label: field.title ?? name, value: displayValue(config[name], Boolean(field.secret)) }))
    : Object.entries(config).map(([name, value]) => ({ name, label: name, value: displayValue(value, value === SECRET_MASK) }));
  if (rows.length === 0) return <p className="text-sm text-slate-500">Nothing to configure.</p>;
  return (
    <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
      {rows.map((row) => (
        <div key={row.name} className="min-w-0">
          <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{row.label}</dt>
          <dd className="mt-0.5 truncate text-sm text-slate-900" title={row.value}>
            {row.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
