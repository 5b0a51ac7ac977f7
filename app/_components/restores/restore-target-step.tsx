"use client";

import Link from "next/link";
import { StageBadge } from "@/app/_components/stage";
import { Field, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { RadioCard } from "@/app/_components/ui/radio-card";
import type { ConfigSchema } from "@/server/plugins/contracts";
import { EnvironmentPicker } from "./environment-picker";
import { NewEnvironmentFields, type ServerOption } from "./new-environment-fields";
import { RestoreCrossClient } from "./restore-cross-client";
import { chooseServer, type EnvironmentItem, type ProjectRef, type RestoreChoice, type RestorePlan, type ServerTargetMode } from "./restore-plan";

type Option = { id: string; name: string };

function choices(origin: EnvironmentItem): Array<{ id: RestoreChoice; title: string; description: string }> {
  const all: Array<{ id: RestoreChoice; title: string; description: string }> = [
    { id: "original", title: "Original environment", description: `Roll ${origin.name} back to this backup, replacing its current data.` },
    { id: "environment", title: "Different environment", description: "Replace the data of another compatible environment, e.g. refresh staging." },
    { id: "new_environment", title: "New environment", description: `Create a fresh environment from this backup, beside ${origin.name}.` },
    { id: "server", title: "Different server", description: "Restore onto another server: into an environment there, or a new one." },
  ];
  // An archived environment (a catalog import's stand-in) is never restored into.
  return origin.archivedAt ? all.filter((c) => c.id !== "original") : all;
}

/** Step 1 of the restore wizard: where the backup goes. Nothing is chosen until the operator chooses. */
export function RestoreTargetStep({
  plan,
  onChange,
  origin,
  backupProject,
  crossClient,
  sourceTitle,
  schema,
  projects,
  servers,
  errors,
}: {
  plan: RestorePlan;
  onChange: (plan: RestorePlan) => void;
  origin: EnvironmentItem;
  backupProject: ProjectRef;
  /** The target's project when it is another client's than the backup's. */
  crossClient: ProjectRef | null;
  sourceTitle: string;
  schema: ConfigSchema | undefined;
  projects: Option[];
  servers: ServerOption[];
  errors: Record<string, string>;
}) {
  const otherServers = servers.filter((s) => s.id !== origin.serverId);
  const chosenServer = otherServers.find((s) => s.id === plan.move.serverId);

  return (
    <div className="space-y-5">
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-slate-700">Choose where to restore</legend>
        <div className="grid gap-2.5 sm:grid-cols-2">
          {choices(origin).map((c) => (
            <RadioCard key={c.id} name="restore-choice" value={c.id} checked={plan.choice === c.id} onChange={() => onChange({ ...plan, choice: c.id, environment: null })} title={c.title} description={c.description} />
          ))}
        </div>
      </fieldset>

      {plan.choice && (
        <div className="space-y-4 border-t border-slate-200 pt-4">
          {plan.choice === "original" && (
            <div className="space-y-3">
              <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
                <span>
                  Restores into <strong className="font-medium text-slate-900">{origin.projectName} / {origin.name}</strong> on {origin.serverName}
                </span>
                <StageBadge stage={origin.stage} />
              </div>
              {origin.restoring && <Alert tone="warning">A restore into {origin.name} is already queued or running: this one starts after it.</Alert>}
            </div>
          )}

          {plan.choice === "environment" && (
            <EnvironmentPicker
              origin={origin}
              sourceTitle={sourceTitle}
              selected={plan.environment}
              onSelect={(environment) => onChange({ ...plan, environment })}
              error={errors.environmentId}
              empty={`No other ${sourceTitle} environment yet: choose “New environment” to create one from this backup.`}
            />
          )}

          {plan.choice === "new_environment" && (
            <NewEnvironmentFields draft={plan.copy} onChange={(copy) => onChange({ ...plan, copy })} origin={origin} projects={projects} servers={servers} schema={schema} errors={errors} idPrefix="restore-new" />
          )}

          {plan.choice === "server" &&
            (otherServers.length === 0 ? (
              <Alert tone="warning" title="No other server">
                {origin.serverName} is the only server.{" "}
                <Link href="/servers" className="font-medium underline">
                  Add a server
                </Link>{" "}
                first, then restore onto it.
              </Alert>
            ) : (
              <div className="space-y-4">
                <Field label="Server" htmlFor="restore-server" error={errors.serverId} hint={`Any server but ${origin.serverName}, where the backup was taken`}>
                  <Select
                    id="restore-server"
                    value={plan.move.serverId}
                    invalid={Boolean(errors.serverId)}
                    onChange={(e) => {
                      const server = otherServers.find((s) => s.id === e.target.value);
                      if (server) onChange(chooseServer(plan, origin, server));
                    }}
                  >
                    <option value="" disabled>
                      Choose a server…
                    </option>
                    {otherServers.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </Select>
                </Field>
                {chosenServer && (
                  <>
                    <fieldset>
                      <legend className="mb-2 text-sm font-medium text-slate-700">Into</legend>
                      <div className="grid gap-2.5 sm:grid-cols-2">
                        {(["existing", "new"] as ServerTargetMode[]).map((mode) => (
                          <RadioCard
                            key={mode}
                            name="restore-server-mode"
                            value={mode}
                            checked={plan.serverMode === mode}
                            onChange={() => onChange({ ...plan, serverMode: mode, environment: null })}
                            title={mode === "existing" ? `An environment on ${chosenServer.name}` : `A new environment on ${chosenServer.name}`}
                            description={mode === "existing" ? "Replace the data of a compatible environment there." : "Create it from this backup."}
                          />
                        ))}
                      </div>
                    </fieldset>
                    {plan.serverMode === "existing" ? (
                      <EnvironmentPicker
                        origin={origin}
                        sourceTitle={sourceTitle}
                        serverId={chosenServer.id}
                        selected={plan.environment}
                        onSelect={(environment) => onChange({ ...plan, environment })}
                        error={errors.environmentId}
                        empty={`No ${sourceTitle} environment on ${chosenServer.name} yet: choose “A new environment” instead.`}
                      />
                    ) : (
                      <NewEnvironmentFields draft={plan.move} onChange={(move) => onChange({ ...plan, move })} origin={origin} projects={projects} fixedServer={chosenServer} schema={schema} errors={errors} idPrefix="restore-move" />
                    )}
                  </>
                )}
              </div>
            ))}
          {crossClient && (
            <RestoreCrossClient
              from={backupProject}
              into={crossClient}
              confirmed={plan.crossClientConfirmedFor === crossClient.id}
              onChange={(confirmed) => onChange({ ...plan, crossClientConfirmedFor: confirmed ? crossClient.id : null })}
              error={errors.crossClientConfirmed}
            />
          )}
        </div>
      )}
    </div>
  );
}
