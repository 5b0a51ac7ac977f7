import Link from "next/link";
import { Alert } from "@/app/_components/ui/layout";
import { environmentHref, type RestoreItem } from "./restore-types";

/** How a finished restore ended: where the data is now, the safety backup and the kept copy; or why it failed. */
export function RestoreOutcome({ restore, onNavigate }: { restore: RestoreItem; onNavigate?: () => void }) {
  const target = restore.targetEnvironmentName ?? "the target environment";
  const href = restore.targetProjectId && restore.targetEnvironmentId ? environmentHref(restore.targetProjectId, restore.targetEnvironmentId) : null;

  if (restore.status === "failed") {
    return (
      <Alert tone="danger" title="Restore failed">
        <p className="break-words">{restore.error ?? "The restore stopped without a reason."}</p>
        <p className="mt-1.5">
          {restore.swappedAt
            ? `It failed while swapping the restored copy in: check the database and filestore of ${target}.`
            : `The target was left as it was: nothing of ${target} was changed.`}
        </p>
      </Alert>
    );
  }

  const report = restore.report;
  return (
    <Alert tone="success" title="Restore completed">
      <ul className="mt-1 list-disc space-y-1 pl-4">
        <li>
          {href ? (
            <Link href={href} className="font-medium underline" onClick={onNavigate}>
              {target}
            </Link>
          ) : (
            target
          )}{" "}
          now holds the data of this backup.
        </li>
        {restore.safetyBackupId && (
          <li>
            The safety backup of its former state is listed on{" "}
            {href ? (
              <Link href={href} className="font-medium underline" onClick={onNavigate}>
                its Backup Management tab
              </Link>
            ) : (
              "its Backup Management tab"
            )}
            .
          </li>
        )}
        {restore.previousCopy && (
          <li>
            The former data was kept aside: {restore.previousCopy.description}. Discard it from the environment&apos;s Restores list once you no longer need it.
          </li>
        )}
        {report?.identityRegenerated && <li>The copy got its own identity (new database UUID and secret).</li>}
        {report && report.neutralized.length > 0 && <li>Neutralized: {report.neutralized.join("; ")}.</li>}
        {report && report.erasedSubjects > 0 && (
          <li>
            Erasure rules: {report.erasedRecords} record(s) of {report.erasedSubjects} erased person(s) anonymised again.
          </li>
        )}
      </ul>
    </Alert>
  );
}
