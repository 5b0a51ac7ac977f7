import type { FailureKind } from "@/shared/enum-values";

/** Network errors that say "not now" rather than "never" (Node's and postgres.js's codes). */
const TRY_LATER_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "CONNECT_TIMEOUT"]);

/**
 * Whether trying a failed run again later may help, the one place that decides. A lost or shut-down worker:
 * yes. A failed precondition, a file that did not verify, or a run stopped from outside: no. A source's or
 * storage's error: what its plugin said (PluginError `retryable`, kept on the console's error and its causes:
 * UNAVAILABLE yes; UNAUTHORIZED, NOT_FOUND, PERMANENT no), else a network error code on the way; anything
 * unknown is permanent, so a broken setting is reported at once instead of hours later.
 */
export function isTransientFailure(kind: FailureKind, err: unknown): boolean {
  if (kind === "worker_lost" || kind === "shutdown") return true;
  if (kind !== "source" && kind !== "storage") return false;
  const seen = new Set<unknown>();
  for (let e = err; typeof e === "object" && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { retryable, code } = e as { retryable?: unknown; code?: unknown };
    if (typeof retryable === "boolean") return retryable;
    if (typeof code === "string" && TRY_LATER_CODES.has(code)) return true;
  }
  return false;
}
