// The restore tag is shared with the other sources; the copies' names below carry it.
export { restoreTag } from "@safehold/plugin-helpers";

/** PostgreSQL truncates identifiers longer than this many bytes, which could make two names collide. */
const MAX_IDENTIFIER_BYTES = 63;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = "";
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/** `<db>_restore_<tag>` (the fresh copy) or `<db>_before_<tag>` (the target moved aside), shortened to fit 63 bytes. */
export function copyDatabaseName(database: string, marker: "restore" | "before", tag: string): string {
  const suffix = `_${marker}_${tag}`;
  return truncateUtf8(database, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
}

/** Whether `name` is a copy of `database` that a restore moved aside: the only kind of database a restore may drop later. */
export function isMovedAsideDatabase(database: string, name: string): boolean {
  const prefix = copyDatabaseName(database, "before", "xxxxxxxx").slice(0, -8);
  return name.startsWith(prefix) && /^[a-z0-9]{8}$/.test(name.slice(prefix.length));
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
