// The restore tag is shared with the other sources; the copies' names below carry it.
export { restoreTag } from "@safehold/plugin-helpers";

/** MySQL and MariaDB refuse database names longer than this many characters. */
const MAX_NAME_CHARS = 64;

/** `<db>_restore_<tag>` (the fresh copy) or `<db>_before_<tag>` (the target moved aside), shortened to fit 64 characters. */
export function copyDatabaseName(database: string, marker: "restore" | "before", tag: string): string {
  const suffix = `_${marker}_${tag}`;
  return [...database].slice(0, MAX_NAME_CHARS - suffix.length).join("") + suffix;
}

/** Whether `name` is a copy of `database` that a restore moved aside: the only kind of database a restore may drop later. */
export function isMovedAsideDatabase(database: string, name: string): boolean {
  const prefix = copyDatabaseName(database, "before", "xxxxxxxx").slice(0, -8);
  return name.startsWith(prefix) && /^[a-z0-9]{8}$/.test(name.slice(prefix.length));
}
