/** graphile-worker job key of a restore's run: lets the reaper find and remove it. */
export function restoreJobKey(restoreId: string): string {
  return `restore:${restoreId}`;
}
