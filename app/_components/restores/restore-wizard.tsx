"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import type { BackupItem } from "@/app/_components/backups/backup-types";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Alert } from "@/app/_components/ui/layout";
import { Steps } from "@/app/_components/ui/steps";
import { errorInfo } from "@/app/_lib/errors";
import { formatBytes, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { ConfigSchema } from "@/server/plugins/contracts";
import { fieldsMarked } from "@/shared/plugin-fields";
import { RestoreConfirmStep, type TargetSummary } from "./restore-confirm-step";
import { RestoreOptionsStep } from "./restore-options-step";
import {
  concernsTarget,
  crossClientTarget,
  crossClientWords,
  defaultNeutralize,
  existingTargetOf,
  initialPlan,
  missingTarget,
  newEnvironmentOf,
  restoreInput,
  wizardFieldErrors,
  type EnvironmentItem,
  type RestorePlan,
} from "./restore-plan";
import type { ServerOption } from "./new-environment-fields";
import { RestoreTargetStep } from "./restore-target-step";
import type { RestoreItem } from "./restore-types";

const STEPS = ["Where to restore", "Options", "Confirm"] as const;

type Option = { id: string; name: string };

/** The target as the later steps describe it; null while the first step is incomplete. */
function summarizeTarget(plan: RestorePlan, origin: EnvironmentItem, projects: Option[], servers: Option[], schema: ConfigSchema | undefined): TargetSummary | null {
  const existing = existingTargetOf(plan, origin);
  if (existing) {
    const rollback = existing.id === origin.id ? " · the original environment (rollback)" : "";
    return { name: existing.name, title: `${existing.projectName} / ${existing.name}`, detail: `on ${existing.serverName}${rollback}`, stage: existing.stage, isNew: false };
  }
  const draft = newEnvironmentOf(plan);
  if (!draft) return null;
  const name = draft.name.trim();
  const project = projects.find((p) => p.id === draft.projectId)?.name ?? "its project";
  const server = servers.find((s) => s.id === draft.serverId)?.name ?? "its server";
  const own = fieldsMarked(schema, "copyTarget")
    .filter((field) => typeof draft.sourceConfig[field] === "string" && draft.sourceConfig[field])
    .map((field) => ` · ${(schema?.properties[field]?.title ?? field).toLowerCase()} ${String(draft.sourceConfig[field])}`);
  return { name, title: `${project} / ${name} (new environment)`, detail: `on ${server}${own.join("")}`, stage: draft.stage, isNew: true };
}

/** The three steps of a restore (where, options, confirm) up to the request; `onStarted` gets the queued restore. */
export function RestoreWizard({
  backup,
  origin,
  hasFilestore,
  filesTitle,
  projects,
  servers,
  sourceTitle,
  canNeutralize,
  schema,
  onStarted,
  onClose,
}: {
  backup: BackupItem;
  origin: EnvironmentItem;
  hasFilestore: boolean;
  filesTitle: string;
  projects: Option[];
  servers: ServerOption[];
  sourceTitle: string;
  /** The source neutralizes restored copies; otherwise the option is neither offered nor sent. */
  canNeutralize: boolean;
  schema: ConfigSchema | undefined;
  onStarted: (restore: RestoreItem) => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);
  const [plan, setPlan] = useState(() => initialPlan(origin, schema));
  const [safetyBackup, setSafetyBackup] = useState(true);
  const [includeFilestore, setIncludeFilestore] = useState(true);
  const [neutralizeChoice, setNeutralizeChoice] = useState<{ target: string; value: boolean } | null>(null);
  const [confirm, setConfirm] = useState("");
  // Set once the console refused the restore across major versions: from then on the wizard asks for them typed.
  const [versions, setVersions] = useState<string | null>(null);
  const create = useMutation(
    trpc.restores.create.mutationOptions({
      onSuccess: (restore) => {
        onStarted(restore);
        toast.success(`Restore of the backup from ${formatDateTime(backup.finishedAt ?? backup.createdAt)} started`);
        // The target is now in maintenance, a new environment may exist: refresh what is on screen.
        void queryClient.invalidateQueries();
      },
      onError: (error) => {
        const refused = wizardFieldErrors(errorInfo(error)?.fields ?? {});
        if (concernsTarget(refused)) setStep(0);
        if (refused.confirmVersions && versions === null) setVersions("");
      },
    }),
  );

  const target = summarizeTarget(plan, origin, projects, servers, schema);
  const backupProject = { id: backup.projectId, name: backup.projectName };
  const crossClient = crossClientTarget(plan, origin, backupProject, projects);
  const targetStage = target?.stage ?? origin.stage;
  // A choice about neutralizing holds for the target it was made for; another target starts from its own default.
  const targetKey = `${plan.choice}:${existingTargetOf(plan, origin)?.id ?? "new"}:${targetStage}`;
  const neutralize = canNeutralize && (neutralizeChoice?.target === targetKey ? neutralizeChoice.value : defaultNeutralize(targetStage));
  const options = { safetyBackup: !target?.isNew && safetyBackup, includeFilestore: hasFilestore && includeFilestore, neutralize };
  const failure = errorInfo(create.error);
  const fields = wizardFieldErrors(failure?.fields ?? {});
  const shownAtFields = step === 0 ? concernsTarget(fields) : step === 2 && Boolean(fields.confirm);
  // Typing RESTORE is asked only where current data is replaced; a new environment has none.
  const replaces = target !== null && !target.isNew;
  const blocked = step === 0 ? missingTarget(plan, { from: backupProject, into: crossClient }) : step === 2 && replaces && confirm !== "RESTORE" ? "Type RESTORE to enable the restore" : null;
  const takenAt = formatDateTime(backup.finishedAt ?? backup.createdAt);

  function editPlan(next: RestorePlan) {
    create.reset();
    setPlan(next);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (blocked) return;
    if (step < STEPS.length - 1) setStep(step + 1);
    else create.mutate({ ...restoreInput(plan, origin, backup.id, options, confirm, crossClient), ...(versions === null ? {} : { confirmVersions: versions }) });
  }

  return (
    <Dialog
      open
      size="lg"
      onClose={onClose}
      title="Restore backup"
      description={`${backup.projectName} / ${backup.environmentName}, taken ${takenAt}`}
      footer={
        <>
          {blocked && <p className="mr-auto text-xs text-slate-500">{blocked}</p>}
          {step > 0 && (
            <Button variant="secondary" onClick={() => setStep(step - 1)}>
              Back
            </Button>
          )}
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          {step < STEPS.length - 1 ? (
            <Button type="submit" form="restore-form" disabled={Boolean(blocked)}>
              Next
            </Button>
          ) : (
            <Button type="submit" form="restore-form" variant="danger" disabled={Boolean(blocked)} loading={create.isPending}>
              Restore backup
            </Button>
          )}
        </>
      }
    >
      <form id="restore-form" onSubmit={onSubmit} className="space-y-5" noValidate>
        <Steps steps={STEPS} current={step} />
        {failure && !shownAtFields && <Alert tone="danger">{failure.message}</Alert>}
        {step === 0 && <RestoreTargetStep plan={plan} onChange={editPlan} origin={origin} backupProject={backupProject} crossClient={crossClient} sourceTitle={sourceTitle} schema={schema} projects={projects} servers={servers} errors={fields} />}
        {step === 1 && target && (
          <RestoreOptionsStep
            options={options}
            target={target}
            hasFilestore={hasFilestore}
            filesTitle={filesTitle}
            canNeutralize={canNeutralize}
            onChange={(patch) => {
              if (patch.safetyBackup !== undefined) setSafetyBackup(patch.safetyBackup);
              if (patch.includeFilestore !== undefined) setIncludeFilestore(patch.includeFilestore);
              if (patch.neutralize !== undefined) setNeutralizeChoice({ target: targetKey, value: patch.neutralize });
            }}
          />
        )}
        {step === 2 && target && (
          <RestoreConfirmStep
            backup={{ title: backup.name || `Backup of ${takenAt}`, detail: `${backup.projectName} / ${backup.environmentName}, taken ${takenAt} · ${formatBytes(backup.sizeBytes)}` }}
            target={target}
            options={options}
            crossClient={crossClient ? crossClientWords(backupProject.name, crossClient.name) : undefined}
            confirm={confirm}
            onConfirmChange={setConfirm}
            error={fields.confirm}
            versions={versions === null ? undefined : { value: versions, onChange: setVersions, error: fields.confirmVersions }}
          />
        )}
      </form>
    </Dialog>
  );
}
