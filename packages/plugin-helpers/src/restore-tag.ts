/** The first 8 letters or digits of a restore's id: names of the copies a restore makes carry it. */
export function restoreTag(restoreId: string): string {
  const tag = restoreId.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 8);
  if (tag.length < 8) throw new Error(`The restore id "${restoreId}" is too short to name the restored copy`);
  return tag;
}
