/** The graphile-worker job key of a backup's run: one job per backup, never two. */
export function backupJobKey(backupId: string): string {
  return `backup:${backupId}`;
}
