"use client";

import { useState } from "react";
import { SchemaForm, schemaSubset } from "@/app/_components/schema-form";
import { changedIdentity } from "@/app/_components/secret-retype";
import { useContributions } from "@/app/_components/plugin-contributions";
import { ServerRulesNote, type ServerRules } from "@/app/_components/server-rules";
import { STAGES } from "@/app/_components/stage";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { STAGE_LABEL } from "@/app/_lib/format";
import type { Stage } from "@/shared/enum-values";
import type { ConfigSchema } from "@/server/plugins/contracts";
import { fieldsMarked, pick } from "@/shared/plugin-fields";
import { SECRET_MASK } from "@/shared/secret-mask";
import { type EnvironmentItem, type NewEnvironmentDraft } from "./restore-plan";

type Option = { id: string; name: string };
export type ServerOption = ServerRules & { id: string };

function sentence(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * Whether the new environment may reuse the original's secrets, as the server decides it: only on the original's
 * server, with every identity setting (host, port, user) unchanged. The copy-target settings (its database) are the copy's own, so they do not count.
 */
function secretReuse(schema: ConfigSchema | undefined, origin: EnvironmentItem, draft: NewEnvironmentDraft) {
  const fields = Object.entries(schema?.properties ?? {});
  const secrets = fields.filter(([name, field]) => field.secret && origin.sourceConfig[name] === SECRET_MASK).map(([name, field]) => (field.title ?? name).toLowerCase());
  const own = fieldsMarked(schema, "copyTarget");
  const identity = fields.filter(([name, field]) => field.identity && !field.secret && !own.includes(name)).map(([name, field]) => (field.title ?? name).toLowerCase());
  const saved = { ...origin.sourceConfig, ...pick(draft.sourceConfig, own) };
  const scope = draft.serverId && draft.serverId !== origin.serverId ? ["Server"] : [];
  const changed = schema ? [...scope, ...changedIdentity(schema, draft.sourceConfig, saved)] : scope;
  return { secrets: sentence(secrets), identity: sentence(identity), saved, scope, reused: secrets.length > 0 && changed.length === 0, retype: secrets.length > 0 && changed.length > 0, changed };
}

/** The line above the source settings: what is taken from the original, and whether its password is. */
function reuseNote(origin: EnvironmentItem, reuse: ReturnType<typeof secretReuse>) {
  const name = <strong className="font-medium text-slate-700">{origin.name}</strong>;
  if (reuse.reused) {
    return (
      <>
        Settings you leave unchanged are taken from {name}, and so is its {reuse.secrets}: the copy stays on its server with the same {reuse.identity}.
      </>
    );
  }
  if (reuse.retype) {
    return (
      <>
        Settings you leave unchanged are taken from {name}, but not its {reuse.secrets}: {sentence(reuse.changed)} changed, and it is reused only on {name}&apos;s server
        with the same {reuse.identity}. Type it below.
      </>
    );
  }
  return <>Settings you leave unchanged are taken from {name}.</>;
}

/**
 * The environment a restore creates: project, name, stage, server, and the source settings that must differ
 * from the original's (its database, data dir); the others are prefilled from the original and tucked away.
 */
export function NewEnvironmentFields({
  draft,
  onChange,
  origin,
  projects,
  servers,
  fixedServer,
  schema,
  errors,
  idPrefix,
}: {
  draft: NewEnvironmentDraft;
  onChange: (next: NewEnvironmentDraft) => void;
  origin: EnvironmentItem;
  projects: Option[];
  /** The servers to choose from; leave out with `fixedServer` when the server was chosen already. */
  servers?: ServerOption[];
  fixedServer?: ServerOption;
  schema: ConfigSchema | undefined;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const set = (patch: Partial<NewEnvironmentDraft>) => onChange({ ...draft, ...patch });
  const otherClients = projects.filter((p) => p.id !== origin.projectId);
  const own = fieldsMarked(schema, "copyTarget");
  const location = schema && schemaSubset(schema, (name) => own.includes(name));
  const others = schema && schemaSubset(schema, (name) => !own.includes(name));
  const otherErrors = Object.keys(errors).some((key) => key.startsWith("sourceConfig.") && !own.includes(key.slice("sourceConfig.".length)));
  const reuse = secretReuse(schema, origin, draft);
  // Opened by the operator, or because it holds an error or a password to type: it stays open until they close it.
  const [othersOpen, setOthersOpen] = useState(false);
  const server = servers?.find((s) => s.id === draft.serverId) ?? fixedServer;
  const canNeutralize = useContributions("sources").can(origin.source, "neutralize");
  const settings = { errors, prefix: "sourceConfig", idPrefix: `${idPrefix}-config`, saved: reuse.saved, changedScope: reuse.scope, keptPlaceholder: `Leave empty to reuse ${origin.name}'s` };

  return (
    <div className="space-y-5">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Project" htmlFor={`${idPrefix}-project`} error={errors.projectId}>
          <Select id={`${idPrefix}-project`} value={draft.projectId} invalid={Boolean(errors.projectId)} onChange={(e) => set({ projectId: e.target.value })}>
            {projects
              .filter((p) => p.id === origin.projectId)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} (this backup&apos;s client)
                </option>
              ))}
            {/* Other clients' projects are apart: choosing one asks for a confirmation naming both clients. */}
            {otherClients.length > 0 && (
              <optgroup label="Other clients (asks to confirm)">
                {otherClients.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </optgroup>
            )}
          </Select>
        </Field>
        <Field label="Name" htmlFor={`${idPrefix}-name`} error={errors.name}>
          <Input id={`${idPrefix}-name`} value={draft.name} invalid={Boolean(errors.name)} onChange={(e) => onChange({ ...draft, name: e.target.value, nameEdited: true })} />
        </Field>
        <Field label="Stage" htmlFor={`${idPrefix}-stage`} error={errors.stage} hint={draft.stage === "production" || !canNeutralize ? undefined : "Not production: neutralization is suggested in the next step"}>
          <Select id={`${idPrefix}-stage`} value={draft.stage} invalid={Boolean(errors.stage)} onChange={(e) => set({ stage: e.target.value as Stage })}>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {STAGE_LABEL[s]}
              </option>
            ))}
          </Select>
        </Field>
        {servers ? (
          <Field label="Server" htmlFor={`${idPrefix}-server`} error={errors.serverId}>
            <Select id={`${idPrefix}-server`} value={draft.serverId} invalid={Boolean(errors.serverId)} onChange={(e) => set({ serverId: e.target.value })}>
              {servers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                  {s.id === origin.serverId ? " (the original's server)" : ""}
                </option>
              ))}
            </Select>
          </Field>
        ) : (
          <div className="space-y-1.5">
            <p className="text-sm font-medium text-slate-700">Server</p>
            <p className="py-2 text-sm text-slate-900">{fixedServer?.name}</p>
          </div>
        )}
      </div>
      <ServerRulesNote server={server} schema={schema} />
      {schema && (
        <div className="space-y-3 border-t border-slate-200 pt-4">
          <div>
            <h4 className="text-sm font-semibold text-slate-900">Source settings</h4>
            <p className="mt-0.5 text-xs text-slate-500">{reuseNote(origin, reuse)}</p>
          </div>
          {location && Object.keys(location.properties).length > 0 && (
            <SchemaForm schema={location} value={draft.sourceConfig} onChange={(sourceConfig) => set({ sourceConfig })} {...settings} />
          )}
          {others && Object.keys(others.properties).length > 0 && (
            <details
              open={othersOpen || otherErrors || reuse.retype}
              onToggle={(e) => setOthersOpen(e.currentTarget.open)}
              className="group rounded-md ring-1 ring-slate-200 ring-inset"
            >
              <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-700 select-none hover:bg-slate-50">Other settings (as on {origin.name})</summary>
              <div className="border-t border-slate-200 p-3">
                <SchemaForm schema={others} value={draft.sourceConfig} onChange={(sourceConfig) => set({ sourceConfig })} {...settings} />
              </div>
            </details>
          )}
        </div>
      )}
    </div>
  );
}
