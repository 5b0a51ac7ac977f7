"use client";

import { Plus, X } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "@/app/_components/ui/button";
import { Field, Input } from "@/app/_components/ui/field";
import { Switch } from "@/app/_components/ui/switch";
import { rowKey, type RulesDraft } from "./server-rules-draft";

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} aria-label={label} title={label} className="mt-1.5 shrink-0 rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600">
      <X className="size-4" aria-hidden />
    </button>
  );
}

function AddButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <Button variant="ghost" size="sm" className="-ml-2.5" onClick={onClick}>
      <Plus className="size-3.5" aria-hidden /> {children}
    </Button>
  );
}

/** A list's heading, its one-line reason, and an error about the list as a whole. */
function ListHeading({ id, title, hint, error }: { id: string; title: string; hint: ReactNode; error?: string }) {
  return (
    <div>
      <p id={id} className="text-sm font-medium text-slate-700">
        {title}
      </p>
      <p className="text-xs text-slate-500">{hint}</p>
      {error && (
        <p className="mt-1 text-xs text-red-600" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function RowError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="mt-1 text-xs text-red-600" role="alert">
      {message}
    </p>
  );
}

/**
 * The server form's "Rules for environments": which folders and databases environments on the server may use,
 * and which program runs for each name a source calls. Only admins see the server form: operators set up client
 * environments, admins decide what those may make the console do on a machine.
 */
/** `knownPrograms`: what the installed sources run by name, offered as names. */
export function ServerRulesFields({ value, onChange, errors, knownPrograms }: { value: RulesDraft; onChange: (next: RulesDraft) => void; errors: Record<string, string>; knownPrograms: string[] }) {
  const example = knownPrograms[0] ?? "program";
  const set = (patch: Partial<RulesDraft>) => onChange({ ...value, ...patch });
  const setFolder = (key: number, path: string) => set({ folders: value.folders.map((row) => (row.key === key ? { ...row, path } : row)) });
  const setProgram = (key: number, patch: { name?: string; path?: string }) => set({ programs: value.programs.map((row) => (row.key === key ? { ...row, ...patch } : row)) });

  return (
    <section className="space-y-5 border-t border-slate-200 pt-4" aria-labelledby="server-rules-title">
      <div>
        <h3 id="server-rules-title" className="text-sm font-semibold text-slate-900">
          Rules for environments
        </h3>
        <p className="mt-0.5 text-xs text-slate-500">
          Operators configure client environments; admins decide what runs on this server and which folders and databases those environments may touch.
        </p>
      </div>

      <div className="space-y-2">
        <ListHeading
          id="server-folders-title"
          title="Allowed folders"
          hint="Data folders and filestores must lie inside one of these: backups read, and restores replace, files only there."
          error={errors.allowedRoots}
        />
        {value.folders.length === 0 && <p className="text-xs text-amber-700">No folder allowed: environments here cannot use a data folder (PostgreSQL-only sources still work).</p>}
        <ul className="space-y-2" aria-labelledby="server-folders-title">
          {value.folders.map((row, index) => {
            const error = errors[`folder.${row.key}`];
            return (
              <li key={row.key}>
                <div className="flex items-start gap-2">
                  <Input
                    aria-label={`Allowed folder ${index + 1}`}
                    className="font-mono"
                    placeholder="/var/lib/odoo"
                    value={row.path}
                    invalid={Boolean(error)}
                    onChange={(e) => setFolder(row.key, e.target.value)}
                  />
                  <RemoveButton label={`Remove folder ${index + 1}`} onClick={() => set({ folders: value.folders.filter((r) => r.key !== row.key) })} />
                </div>
                <RowError message={error} />
              </li>
            );
          })}
        </ul>
        <AddButton onClick={() => set({ folders: [...value.folders, { key: rowKey(), path: "" }] })}>Add folder</AddButton>
      </div>

      <Field
        label="Database names (optional)"
        htmlFor="server-database-pattern"
        error={errors.databasePattern}
        hint={
          <>
            Names or globs separated by commas, e.g. <code className="font-mono">odoo_*, crm_prod</code>: environments may only back up and restore those. Empty: any
            database but PostgreSQL&apos;s own.
          </>
        }
      >
        <Input
          id="server-database-pattern"
          className="font-mono"
          placeholder="Any database"
          value={value.databasePattern}
          invalid={Boolean(errors.databasePattern)}
          onChange={(e) => set({ databasePattern: e.target.value })}
        />
      </Field>

      <div className="space-y-2">
        <ListHeading
          id="server-programs-title"
          title="Programs"
          hint="The program that runs when a source calls one by name; a name not listed runs from the server's PATH."
          error={errors.programs}
        />
        {value.programs.length > 0 && (
          <ul className="space-y-2" aria-labelledby="server-programs-title">
            {value.programs.map((row, index) => {
              const nameError = errors[`program.${row.key}.name`];
              const pathError = errors[`program.${row.key}.path`];
              return (
                <li key={row.key} className="flex items-start gap-2">
                  <div className="w-40 shrink-0">
                    <Input
                      aria-label={`Name of program ${index + 1}`}
                      className="font-mono"
                      list="server-known-programs"
                      placeholder={example}
                      value={row.name}
                      invalid={Boolean(nameError)}
                      onChange={(e) => setProgram(row.key, { name: e.target.value })}
                    />
                    <RowError message={nameError} />
                  </div>
                  <span className="mt-2 text-sm text-slate-400" aria-hidden>
                    →
                  </span>
                  <div className="min-w-0 flex-1">
                    <Input
                      aria-label={`Path of program ${index + 1}`}
                      className="font-mono"
                      placeholder={`/usr/local/bin/${example}`}
                      value={row.path}
                      invalid={Boolean(pathError)}
                      onChange={(e) => setProgram(row.key, { path: e.target.value })}
                    />
                    <RowError message={pathError} />
                  </div>
                  <RemoveButton label={`Remove program ${index + 1}`} onClick={() => set({ programs: value.programs.filter((r) => r.key !== row.key) })} />
                </li>
              );
            })}
          </ul>
        )}
        <datalist id="server-known-programs">
          {knownPrograms.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <AddButton onClick={() => set({ programs: [...value.programs, { key: rowKey(), name: "", path: "" }] })}>Add program</AddButton>
      </div>

      <Switch
        id="server-compress-on-server"
        label="Compress on the server"
        hint={
          <>
            Backups are gzipped on this server (at low priority) and restores decompressed there, so fewer bytes cross the link. Off: the console compresses, keeping the
            work off this machine. A server without <code className="font-mono">gzip</code> falls back to the console either way.
          </>
        }
        checked={value.compressOnServer}
        onChange={(compressOnServer) => set({ compressOnServer })}
      />
    </section>
  );
}
