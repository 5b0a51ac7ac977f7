import type { DbOrTx } from "@/server/db";
import { isTransientFailure } from "@/server/jobs/transient-failure";
import { retryDelayMs } from "@/shared/retry-schedule";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import type { FailureKind } from "@/shared/enum-values";

export type BackupRetry = { attempt: number; of: number; at: Date; phase: string; line: (reason: string) => string };

type FailedAttempt = { id: string; orgId: string; environmentId: string; type: string; attempt: number };

function clock(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

/**
 * Whether a failed attempt of a backup is tried again, and when: only scheduled backups (an operator who started
 * one is watching and decides), only transient failures, and only while its policy's attempts last.
 */
export async function planBackupRetry(db: DbOrTx, backup: FailedAttempt, kind: FailureKind, err: unknown, now = new Date()): Promise<BackupRetry | null> {
  if (backup.type !== "scheduled" || !isTransientFailure(kind, err)) return null;
  const { retries } = await effectivePolicyFor(db, backup.orgId, backup.environmentId);
  if (backup.attempt >= retries.attempts) return null;
  const at = new Date(now.getTime() + retryDelayMs(backup.attempt, retries));
  const of = retries.attempts;
  return {
    attempt: backup.attempt,
    of,
    at,
    phase: `retrying at ${clock(at)} (attempt ${backup.attempt + 1} of ${of})`,
    line: (reason) => `Attempt ${backup.attempt} of ${of} failed: ${reason}; trying again at ${clock(at)}`,
  };
}

/** The values a backup row takes when its next attempt is queued. */
export function nextAttemptValues(retry: BackupRetry): { attempt: number; maxAttempts: number } {
  return { attempt: retry.attempt + 1, maxAttempts: retry.of };
}
