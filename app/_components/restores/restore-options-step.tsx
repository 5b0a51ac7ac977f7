"use client";

import { Checkbox } from "@/app/_components/ui/field";
import { STAGE_LABEL } from "@/app/_lib/format";
import type { Stage } from "@/shared/enum-values";
import type { RestoreOptions } from "./restore-plan";

/** Step 2 of the restore wizard: safety backup, filestore, neutralization. */
export function RestoreOptionsStep({
  options,
  onChange,
  target,
  hasFilestore,
  filesTitle,
  canNeutralize,
}: {
  options: RestoreOptions;
  onChange: (patch: Partial<RestoreOptions>) => void;
  target: { name: string; stage: Stage; isNew: boolean };
  hasFilestore: boolean;
  /** What the source calls its files artifact, e.g. "Filestore" or "Uploads folder". */
  filesTitle: string;
  /** Only sources that neutralize copies offer it: a plain database gets no promise of "no outgoing mail". */
  canNeutralize: boolean;
}) {
  return (
    <div className="space-y-5">
      {target.isNew ? (
        <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">{target.name} is new: it has no data to save first, so no safety backup is taken.</p>
      ) : (
        <div>
          <Checkbox
            id="restore-safety-backup"
            label="Safety backup first"
            hint={`Recommended! Saves the current state of ${target.name} before restoring; the restore starts only once that backup is completed and verified.`}
            checked={options.safetyBackup}
            onChange={(e) => onChange({ safetyBackup: e.target.checked })}
          />
          {!options.safetyBackup && (
            <p className="mt-1.5 ml-6.5 text-xs text-amber-700">Without it, the only way back is the copy of the current data that the restore keeps aside on the server.</p>
          )}
        </div>
      )}
      <Checkbox
        id="restore-filestore"
        label={`Include ${filesTitle.toLowerCase()}`}
        hint={
          hasFilestore
            ? `Restore the files along with the database. Unticked, ${target.name} keeps its current files.`
            : `This backup has no ${filesTitle.toLowerCase()} (it holds the database only), so only the database is restored.`
        }
        checked={hasFilestore && options.includeFilestore}
        disabled={!hasFilestore}
        onChange={(e) => onChange({ includeFilestore: e.target.checked })}
      />
      {canNeutralize && (
        <Checkbox
          id="restore-neutralize"
          label="Neutralize"
          hint={
            <>
              Makes the copy harmless: no outgoing mail, scheduled actions stopped, payment providers not live.{" "}
              {target.stage === "production"
                ? "Off by default: the target is a production environment."
                : `On by default: the target is a ${(STAGE_LABEL[target.stage] ?? target.stage).toLowerCase()} environment, so it must not reach real customers.`}
            </>
          }
          checked={options.neutralize}
          onChange={(e) => onChange({ neutralize: e.target.checked })}
        />
      )}
    </div>
  );
}
