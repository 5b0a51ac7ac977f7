/** The graphile-worker job key of a drill's run: removing or releasing it never touches another job. */
export function drillJobKey(drillId: string): string {
  return `drill:${drillId}`;
}
