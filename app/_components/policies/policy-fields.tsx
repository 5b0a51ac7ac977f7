"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Checkbox, Field, Input, Select } from "@/app/_components/ui/field";
import { Badge } from "@/app/_components/ui/layout";
import { Switch } from "@/app/_components/ui/switch";
import { useTRPC } from "@/app/_lib/trpc";
import type { Policy, PolicyField } from "@/server/policies/policy-fields";
import { RetriesEditor, describeRetries } from "./retries-editor";
import { ScheduleEditor, TimezoneEditor } from "./schedule-editor";
import { describeSchedule } from "./schedule-presets";
import { StartWindowEditor, StartWindowValue } from "./start-window";

export type { Policy, PolicyField };

/** The fields in the order the console shows them. */
export const FIELD_ORDER: PolicyField[] = ["enabled", "schedule", "spreadMinutes", "timezone", "storageLocationId", "includeFilestore", "filestoreLayout", "retention", "notifyOnSuccess", "notifyOnFailure", "notificationChannelIds", "copies", "encrypt", "drill", "retries"];

export const FIELD_LABEL: Record<PolicyField, string> = {
  enabled: "Automatic backups",
  schedule: "Schedule",
  timezone: "Time zone",
  storageLocationId: "Storage location",
  includeFilestore: "Filestore",
  filestoreLayout: "Filestore storage",
  retention: "Retention (GFS)",
  notifyOnSuccess: "Notify on success",
  notifyOnFailure: "Notify on failure",
  notificationChannelIds: "Notification channels",
  copies: "Second copies",
  encrypt: "Encryption",
  drill: "Restore drills",
  spreadMinutes: "Start window",
  retries: "Retries",
};

/** A field's name within a sentence: "Override retention (GFS)". */
export function fieldInSentence(field: PolicyField): string {
  const label = FIELD_LABEL[field];
  return label.charAt(0).toLowerCase() + label.slice(1);
}

const FILESTORE_LAYOUT_LABEL: Record<Policy["filestoreLayout"], string> = {
  objects: "Incremental: each file stored once (recommended)",
  archive: "Full archive every backup",
};

const KEEP = [
  { key: "daily", label: "Daily", unit: "day" },
  { key: "weekly", label: "Weekly", unit: "week" },
  { key: "monthly", label: "Monthly", unit: "month" },
  { key: "yearly", label: "Yearly", unit: "year" },
] as const;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** The storage locations and notification channels a policy can name, to pick from and to show by name. */
export function usePolicyOptions() {
  const trpc = useTRPC();
  const storage = useQuery(trpc.storageLocations.list.queryOptions({ limit: 200 }));
  const channels = useQuery(trpc.notificationChannels.list.queryOptions({ limit: 200 }));
  const servers = useQuery(trpc.servers.list.queryOptions({ limit: 200 }));
  return { storage: storage.data?.items ?? [], channels: channels.data?.items ?? [], servers: servers.data?.items ?? [] };
}
export type PolicyOptions = ReturnType<typeof usePolicyOptions>;

function storageName(id: string | null, options: PolicyOptions): string {
  if (id === null) {
    const fallback = options.storage.find((l) => l.isDefault);
    return fallback ? `Default location (${fallback.name})` : "Default location";
  }
  return options.storage.find((l) => l.id === id)?.name ?? "A deleted location";
}

function drillServerName(id: string | null, options: PolicyOptions): string {
  if (id === null) return "the environment's own server";
  return options.servers.find((s) => s.id === id)?.name ?? "a deleted server";
}

/** Restore drills: on or off, when, and on which server the scratch copy is made. */
export function DrillEditor({ idPrefix, value, timezone, onChange, options, disabled }: { idPrefix: string; value: Policy["drill"]; timezone: string; onChange: (value: Policy["drill"]) => void; options: PolicyOptions; disabled?: boolean }) {
  return (
    <div className="space-y-4">
      <Switch
        id={`${idPrefix}-enabled`}
        label="Restore drills"
        hint={
          value.enabled
            ? "The latest verified backup is restored into a scratch copy, checked (row counts, files) and dropped; no environment is touched."
            : "No drills: backups are checked by their checksums only, and the environment does not count toward “proven restorable”."
        }
        checked={value.enabled}
        disabled={disabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
      />
      {value.enabled && (
        <>
          <ScheduleEditor idPrefix={`${idPrefix}-schedule`} schedule={value.schedule} timezone={timezone} onScheduleChange={(schedule) => onChange({ ...value, schedule })} disabled={disabled} />
          <Field label="Drill on server" htmlFor={`${idPrefix}-server`} hint="Where the scratch database and folder are made (they are dropped after the checks)">
            <Select id={`${idPrefix}-server`} value={value.serverId ?? ""} disabled={disabled} onChange={(e) => onChange({ ...value, serverId: e.target.value || null })}>
              <option value="">The environment&apos;s own server</option>
              {options.servers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </Select>
          </Field>
        </>
      )}
    </div>
  );
}

/** A field's value as the console shows it. */
export function PolicyValue({ field, policy, options }: { field: PolicyField; policy: Policy; options: PolicyOptions }) {
  switch (field) {
    case "enabled":
      return policy.enabled ? <Badge tone="success">On</Badge> : <Badge tone="neutral">Off</Badge>;
    case "schedule":
      return (
        <span>
          {describeSchedule(policy.schedule)} <code className="ml-1 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-600">{policy.schedule}</code>
        </span>
      );
    case "spreadMinutes":
      return <StartWindowValue schedule={policy.schedule} spreadMinutes={policy.spreadMinutes} />;
    case "timezone":
      return <>{policy.timezone}</>;
    case "storageLocationId":
      return <>{storageName(policy.storageLocationId, options)}</>;
    case "includeFilestore":
      return <>{policy.includeFilestore ? "Included" : "Database only"}</>;
    case "filestoreLayout":
      return <>{FILESTORE_LAYOUT_LABEL[policy.filestoreLayout]}</>;
    case "encrypt":
      return policy.encrypt ? <Badge tone="success">Encrypted</Badge> : <Badge tone="neutral">Not encrypted</Badge>;
    case "retention":
      return <>{KEEP.map((k) => `${policy.retention[k.key]} ${k.key}`).join(" · ")}</>;
    case "notifyOnSuccess":
    case "notifyOnFailure":
      return <>{policy[field] ? "Yes" : "No"}</>;
    case "drill":
      return policy.drill.enabled ? (
        <span>
          {describeSchedule(policy.drill.schedule)} on {drillServerName(policy.drill.serverId, options)}
        </span>
      ) : (
        <Badge tone="neutral">Off</Badge>
      );
    case "notificationChannelIds":
      return <>{policy.notificationChannelIds.length === 0 ? "None" : policy.notificationChannelIds.map((id) => options.channels.find((c) => c.id === id)?.name ?? "A deleted channel").join(", ")}</>;
    case "copies":
      return <>{policy.copies.length === 0 ? "None" : policy.copies.map((id) => storageName(id, options)).join(", ")}</>;
    case "retries":
      return <>{describeRetries(policy.retries)}</>;
  }
}

/** The further storage locations that receive a verified copy of each backup, picked from the organization's locations. */
export function CopiesPicker({ idPrefix, value, onChange, primaryId, options, disabled, error }: { idPrefix: string; value: string[]; onChange: (value: string[]) => void; primaryId: string | null; options: PolicyOptions; disabled?: boolean; error?: string }) {
  const primary = primaryId ?? options.storage.find((l) => l.isDefault)?.id ?? null;
  const others = options.storage.filter((l) => l.id !== primary);
  if (others.length === 0) {
    return (
      <p className="text-sm text-slate-500">
        A second copy needs another storage location: an admin adds one in{" "}
        <Link href="/settings/storage" className="text-brand-700 hover:underline">
          Settings › Storage
        </Link>
        .
      </p>
    );
  }
  return (
    <div>
      <div className="grid gap-2 sm:grid-cols-2">
        {others.map((location) => (
          <Checkbox
            key={location.id}
            id={`${idPrefix}-copy-${location.id}`}
            label={location.name}
            hint={location.provider}
            checked={value.includes(location.id)}
            disabled={disabled || (!value.includes(location.id) && value.length >= 5)}
            onChange={(e) => onChange(e.target.checked ? [...value, location.id] : value.filter((id) => id !== location.id))}
          />
        ))}
      </div>
      {error && <p className="mt-1 text-sm text-red-600">{error}</p>}
    </div>
  );
}

/** The keep counts of GFS retention, each with how long its backups are kept. */
export function RetentionInputs({ idPrefix, value, onChange, disabled, errors = {} }: { idPrefix: string; value: Policy["retention"]; onChange: (value: Policy["retention"]) => void; disabled?: boolean; errors?: Record<string, string> }) {
  return (
    <div className="grid gap-4 sm:grid-cols-4">
      {KEEP.map((k) => {
        const n = value[k.key];
        return (
          <Field key={k.key} label={`Keep ${k.label.toLowerCase()}`} htmlFor={`${idPrefix}-${k.key}`} hint={n === 0 ? `No ${k.label.toLowerCase()} backups kept` : `Kept for ${plural(n, k.unit)}`} error={errors[`retention.${k.key}`]}>
            <Input
              id={`${idPrefix}-${k.key}`}
              type="number"
              min={0}
              max={1000}
              value={n}
              disabled={disabled}
              onChange={(e) => onChange({ ...value, [k.key]: Math.min(1000, Math.max(0, Math.trunc(Number(e.target.value) || 0))) })}
            />
          </Field>
        );
      })}
    </div>
  );
}

/** The notification channels told of backups, picked from the organization's channels. */
export function ChannelPicker({ idPrefix, value, onChange, options, disabled }: { idPrefix: string; value: string[]; onChange: (value: string[]) => void; options: PolicyOptions; disabled?: boolean }) {
  if (options.channels.length === 0) {
    return (
      <p className="text-sm text-slate-500">
        No notification channel yet: an admin adds email or webhook channels in{" "}
        <Link href="/settings/notifications" className="text-brand-700 hover:underline">
          Settings › Notifications
        </Link>
        .
      </p>
    );
  }
  return (
    <div className="grid gap-2 sm:grid-cols-2">
      {options.channels.map((channel) => (
        <Checkbox
          key={channel.id}
          id={`${idPrefix}-channel-${channel.id}`}
          label={channel.name}
          hint={channel.notifier}
          checked={value.includes(channel.id)}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked ? [...value, channel.id] : value.filter((id) => id !== channel.id))}
        />
      ))}
    </div>
  );
}

/**
 * The input of one field, editing it in a draft policy. `override`: editing an environment's own value, where
 * "the organization's default location" is what "Use default" gives, so only named locations are offered.
 */
export function FieldEditor({ field, draft, onChange, options, idPrefix, override, disabled, errors = {} }: {
  field: PolicyField;
  draft: Policy;
  onChange: (patch: Partial<Policy>) => void;
  options: PolicyOptions;
  idPrefix: string;
  override?: boolean;
  disabled?: boolean;
  errors?: Record<string, string>;
}) {
  const id = `${idPrefix}-${field}`;
  switch (field) {
    case "enabled":
      return (
        <Switch
          id={id}
          label="Automatic backups"
          hint={draft.enabled ? "Backups run on the schedule below; the environment counts toward compliance." : "No scheduled backups; manual backups still work, and the environment does not count toward compliance."}
          checked={draft.enabled}
          disabled={disabled}
          onChange={(enabled) => onChange({ enabled })}
        />
      );
    case "schedule":
      return <ScheduleEditor idPrefix={id} schedule={draft.schedule} timezone={draft.timezone} onScheduleChange={(schedule) => onChange({ schedule })} disabled={disabled} />;
    case "spreadMinutes":
      return <StartWindowEditor idPrefix={id} schedule={draft.schedule} value={draft.spreadMinutes} onChange={(spreadMinutes) => onChange({ spreadMinutes })} disabled={disabled} error={errors.spreadMinutes} />;
    case "timezone":
      return <TimezoneEditor id={id} schedule={draft.schedule} timezone={draft.timezone} onChange={(timezone) => onChange({ timezone })} disabled={disabled} />;
    case "storageLocationId":
      return (
        <Field label="Storage location" htmlFor={id} hint="Where scheduled backups are kept" error={errors.storageLocationId}>
          <Select id={id} value={draft.storageLocationId ?? ""} disabled={disabled} onChange={(e) => onChange({ storageLocationId: e.target.value || null })}>
            {!override && <option value="">{storageName(null, options)}</option>}
            {options.storage.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </Select>
        </Field>
      );
    case "includeFilestore":
      return (
        <Checkbox
          id={id}
          label="Include filestore"
          hint="Uploaded documents, images and attachments, for sources that have them"
          checked={draft.includeFilestore}
          disabled={disabled}
          onChange={(e) => onChange({ includeFilestore: e.target.checked })}
        />
      );
    case "filestoreLayout":
      return (
        <Field
          label="Filestore storage"
          htmlFor={id}
          hint={
            draft.filestoreLayout === "objects"
              ? "Each file is stored once in the location and shared by every backup: a nightly backup uploads and keeps only what changed"
              : "Every backup stores the whole filestore again as one archive: simple, but it costs the full size each time"
          }
          error={errors.filestoreLayout}
        >
          <Select id={id} value={draft.filestoreLayout} disabled={disabled} className="max-w-md" onChange={(e) => onChange({ filestoreLayout: e.target.value === "archive" ? "archive" : "objects" })}>
            <option value="objects">{FILESTORE_LAYOUT_LABEL.objects}</option>
            <option value="archive">{FILESTORE_LAYOUT_LABEL.archive}</option>
          </Select>
        </Field>
      );
    case "encrypt":
      return (
        <Checkbox
          id={id}
          label="Encrypt backups"
          hint="Each file is stored encrypted (age) to the organization key: only someone holding the key or its recovery kit can read it"
          checked={draft.encrypt}
          disabled={disabled}
          onChange={(e) => onChange({ encrypt: e.target.checked })}
        />
      );
    case "retention":
      return <RetentionInputs idPrefix={id} value={draft.retention} onChange={(retention) => onChange({ retention })} disabled={disabled} errors={errors} />;
    case "notifyOnSuccess":
      return <Checkbox id={id} label="Notify on success" hint="Tell the channels when a scheduled backup completed" checked={draft.notifyOnSuccess} disabled={disabled} onChange={(e) => onChange({ notifyOnSuccess: e.target.checked })} />;
    case "notifyOnFailure":
      return <Checkbox id={id} label="Notify on failure" hint="Tell the channels when a backup failed, with the reason" checked={draft.notifyOnFailure} disabled={disabled} onChange={(e) => onChange({ notifyOnFailure: e.target.checked })} />;
    case "drill":
      return <DrillEditor idPrefix={id} value={draft.drill} timezone={draft.timezone} onChange={(drill) => onChange({ drill })} options={options} disabled={disabled} />;
    case "notificationChannelIds":
      return (
        <div className="space-y-2">
          <ChannelPicker idPrefix={id} value={draft.notificationChannelIds} onChange={(notificationChannelIds) => onChange({ notificationChannelIds })} options={options} disabled={disabled} />
          {draft.notifyOnFailure && draft.notificationChannelIds.length === 0 && (
            <p className="text-xs font-medium text-amber-700" data-field-warning={`${id}-channels`}>
              Failures reach no one: “Notify on failure” is on, but no channel is chosen.
            </p>
          )}
        </div>
      );
    case "copies":
      return <CopiesPicker idPrefix={id} value={draft.copies} onChange={(copies) => onChange({ copies })} primaryId={draft.storageLocationId} options={options} disabled={disabled} error={errors.copies} />;
    case "retries":
      return <RetriesEditor idPrefix={id} value={draft.retries} onChange={(retries) => onChange({ retries })} disabled={disabled} errors={errors} />;
  }
}
