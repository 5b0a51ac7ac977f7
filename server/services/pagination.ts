import { z } from "zod";
import { ValidationError } from "@/server/errors";

export const pageInput = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Keyset cursors are opaque to clients: the sort key of the last row seen. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  try {
    const values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === "string" || typeof v === "number")) {
      return values;
    }
  } catch {
    // fall through
  }
  throw new ValidationError("The cursor is not valid; start again from the first page", { cursor: "Invalid cursor" });
}

/** Takes `limit + 1` rows and returns the page plus the cursor of its last row when more remain. */
export function toPage<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, key: (row: Row) => Array<string | number>): Page<Item> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: more && last ? encodeCursor(key(last)) : null };
}
