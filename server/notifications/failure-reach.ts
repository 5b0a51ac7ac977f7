import type { Policy } from "@/server/policies/policy-fields";

/**
 * Whether a policy's failure alerts go nowhere: it says "notify on failure" but names no channel. Such a policy
 * reads as protected while nobody would ever hear of a failed backup.
 */
export function failuresReachNoOne(policy: Pick<Policy, "notifyOnFailure" | "notificationChannelIds">): boolean {
  return policy.notifyOnFailure && policy.notificationChannelIds.length === 0;
}

/** Whether a policy sends failure alerts somewhere: "no failure channel yet" is its negation. */
export function hasFailureChannel(policy: Pick<Policy, "notifyOnFailure" | "notificationChannelIds">): boolean {
  return policy.notifyOnFailure && policy.notificationChannelIds.length > 0;
}
