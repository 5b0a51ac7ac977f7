"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { Alert, Badge, Card, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { Switch } from "@/app/_components/ui/switch";
import { errorInfo } from "@/app/_lib/errors";
import { formatBytes, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

const TONE = { running: "info", completed: "success", failed: "danger" } as const;
const LABEL = { running: "Running", completed: "Completed", failed: "Failed" } as const;

type Settings = { enabled: boolean; schedule: string; storageLocationId: string | null };

function SelfBackupForm({ saved, locations, pending, fields, onSave }: { saved: Settings; locations: Array<{ id: string; name: string }>; pending: boolean; fields: Record<string, string>; onSave: (settings: Settings) => void }) {
  const [form, setForm] = useState({ enabled: saved.enabled, schedule: saved.schedule, storageLocationId: saved.storageLocationId ?? "" });
  return (
    <form
      className="grid gap-4 sm:grid-cols-3"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ enabled: form.enabled, schedule: form.schedule, storageLocationId: form.storageLocationId || null });
      }}
    >
      <Switch id="self-backup-enabled" label="Back up on a schedule" checked={form.enabled} onChange={(enabled) => setForm({ ...form, enabled })} />
      <Field label="Schedule (cron, UTC)" htmlFor="self-backup-schedule" error={fields.schedule}>
        <Input id="self-backup-schedule" value={form.schedule} onChange={(e) => setForm({ ...form, schedule: e.target.value })} />
      </Field>
      <Field label="Storage location" htmlFor="self-backup-location" error={fields.storageLocationId}>
        <Select id="self-backup-location" value={form.storageLocationId} onChange={(e) => setForm({ ...form, storageLocationId: e.target.value })}>
          <option value="">Choose…</option>
          {locations.map((l) => (
            <option key={l.id} value={l.id}>{l.name}</option>
          ))}
        </Select>
      </Field>
      <div className="sm:col-span-3">
        <Button type="submit" loading={pending}>Save self-backup settings</Button>
      </div>
    </form>
  );
}

/** Settings › Storage › the console's own backup: where and when, "Back up the console now", and the last runs. */
export function SelfBackupCard({ locations }: { locations: Array<{ id: string; name: string }> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const view = useQuery(trpc.selfBackup.get.queryOptions({}, { refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === "running") ? 2000 : false) }));
  const save = useMutation(trpc.selfBackup.update.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.selfBackup.get.queryKey({}), data) }));
  const runNow = useMutation(trpc.selfBackup.runNow.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.selfBackup.get.queryKey({}), data) }));
  const failure = errorInfo(save.error ?? runNow.error);

  return (
    <Card
      title="Console self-backup"
      description="The console backs up its own database, encrypted with a key derived from its secret key. With the secret key and this location's settings, safehold recover rebuilds the console (see the README's disaster-recovery runbook)."
      actions={
        <Button variant="secondary" loading={runNow.isPending} disabled={!view.data?.storageLocationId} onClick={() => runNow.mutate({})}>
          Back up the console now
        </Button>
      }
    >
      {failure && <div className="mb-3"><Alert tone="danger">{failure.message}</Alert></div>}
      {!view.data && (
        <QueryState query={view} what="the self-backup settings">
          {() => null}
        </QueryState>
      )}
      {view.data && (
        <SelfBackupForm
          key={`${view.data.enabled}|${view.data.schedule}|${view.data.storageLocationId}`}
          saved={view.data}
          locations={locations}
          pending={save.isPending}
          fields={failure?.fields ?? {}}
          onSave={(settings) => save.mutate(settings)}
        />
      )}
      {view.data && view.data.runs.length > 0 && (
        <div className="mt-4">
          <Table>
            <TableHead labels={["Started", "Status", "Size", "Object"]} />
            <tbody className="divide-y divide-slate-100">
              {view.data.runs.map((r) => (
                <tr key={r.id}>
                  <Td className="whitespace-nowrap">{formatDateTime(r.startedAt)}{r.scheduled ? "" : " (manual)"}</Td>
                  <Td>
                    <Badge tone={TONE[r.status]}>{LABEL[r.status]}</Badge>
                    {r.error && <p className="mt-1 max-w-sm text-xs text-red-600">{r.error}</p>}
                  </Td>
                  <Td className="tabular-nums">{formatBytes(r.sizeBytes)}</Td>
                  <Td className="max-w-xs truncate font-mono text-xs text-slate-600">{r.key ?? "—"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </Card>
  );
}
