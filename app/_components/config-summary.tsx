import type { ConfigSchema, PluginConfig } from "@/server/plugins/contracts";
import { SECRET_MASK } from "@/server/plugins/secret-mask";

function text(config: PluginConfig, key: string): string {
  const value = config[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

/** One line saying where a configuration points: `user@host:port · path`, a bucket, or a folder. Empty when it has none of these. */
export function configSummary(config: PluginConfig): string {
  const host = text(config, "host");
  if (host) {
    const user = text(config, "username") || text(config, "user");
    const port = text(config, "port");
    const where = `${user ? `${user}@` : ""}${host}${port ? `:${port}` : ""}`;
    const what = text(config, "path") || text(config, "database");
    return what ? `${where} · ${what}` : where;
  }
  const bucket = text(config, "bucket");
  if (bucket) {
    const prefix = text(config, "prefix");
    const region = text(config, "endpoint") || text(config, "region");
    return [prefix ? `${bucket}/${prefix}` : bucket, region].filter(Boolean).join(" · ");
  }
  return text(config, "path");
}

/**
 * The host key a configuration pins (`hostKeyFingerprint`, as the SSH-based plugins name it): shortened, the full
 * value on hover. When the schema has the field but it is empty, a reminder that nothing is pinned yet.
 */
export function PinnedFingerprint({ config, schema }: { config: PluginConfig; schema: ConfigSchema | undefined }) {
  const full = text(config, "hostKeyFingerprint");
  if (!full) return schema?.properties.hostKeyFingerprint ? <span className="text-amber-700">Host key not pinned yet: test the connection</span> : null;
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
