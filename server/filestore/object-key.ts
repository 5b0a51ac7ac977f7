/**
 * Where a filestore object lives in its storage location: beside the backups, under the organization, fanned out by
 * the id's first two characters so no folder holds hundreds of thousands of entries.
 */
export function filestoreObjectKey(orgId: string, objectId: string): string {
  return `objects/${orgId}/${objectId.slice(0, 2)}/${objectId}`;
}

/** The prefix every filestore object of an organization shares in a location (what the sweep lists). */
export function filestoreObjectPrefix(orgId: string): string {
  return `objects/${orgId}/`;
}
