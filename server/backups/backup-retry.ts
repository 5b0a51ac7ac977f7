import type { DbOrTx } from "@/server/db";
import { isTransientFailure } from "@/server/jobs/transient-failure";
import { retryDelayMs } from "@/shared/retry-schedule";
import { effectivePolicyFor } from "@/server/services/backup-policies";
import type { FailureKind } from "@/shared/enum-values";

export type BackupRetry = { attempt: number; of: number; at: Date; phase: string; line: (reason: string) => string };

type FailedAttempt = { id: string; orgId: string; environmentId: string; type: string; attempt: number };

/**
 * "03:35 Europe/Brussels": the time in the policy's time zone, the one its schedule is written in. A zone the
 * runtime does not know (only a hand-edited row has one) reads in UTC rather than failing the failure's handling.
 */
export function retryClock(at: Date, timezone: string): string {
  try {
    return `${new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at)} ${timezone}`;
  } catch {
    return `${at.toISOString().slice(11, 16)} UTC`;
  }
}

/**
 * Whether a failed attempt of a backup is tried again, and when: only scheduled backups (an operator who started
 * one is watching and decides), only transient failures, and only while its policy's attempts last.
 */
export async function planBackupRetry(db: DbOrTx, backup: FailedAttempt, kind: FailureKind, err: unknown, now = new Date()): Promise<BackupRetry | null> {
  if (backup.type !== "scheduled" || !isTransientFailure(kind, err)) return null;
  const { retries, timezone } = await effectivePolicyFor(db, backup.orgId, backup.environmentId);
  if (backup.attempt >= retries.attempts) return null;
  const at = new Date(now.getTime() + retryDelayMs(backup.attempt, retries));
  const of = retries.attempts;
  return {
    attempt: backup.attempt,
    of,
    at,
    phase: `retrying at ${retryClock(at, timezone)} (attempt ${backup.attempt + 1} of ${of})`,
    line: (reason) => `Attempt ${backup.attempt} of ${of} failed: ${reason}; trying again at ${retryClock(at, timezone)}`,
  };
}

/** The values a backup row takes when its next attempt is queued. */
export function nextAttemptValues(retry: BackupRetry): { attempt: number; maxAttempts: number } {
  return { attempt: retry.attempt + 1, maxAttempts: retry.of };
}
