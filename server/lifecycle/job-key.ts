/** The graphile-worker job key of a destroy: one job per destroy, and the reaper releases it by this key. */
export function destructionJobKey(destructionId: string): string {
  return `destroy:${destructionId}`;
}
