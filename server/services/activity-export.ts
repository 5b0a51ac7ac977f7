import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { listActivity } from "./activity";
import type { ActivityFilters } from "./activity-filters";

const PAGE = 500;
const HEADER = ["time", "who", "system", "action", "target_type", "target", "outcome", "message"];

/**
 * One CSV field. A value that a spreadsheet would run as a formula (a client's data can reach messages) is
 * prefixed with a quote so it stays text.
 */
export function csvField(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: string[]) => `${fields.map(csvField).join(",")}\r\n`;

/** The filtered log as CSV lines, newest first, read a page at a time so any length streams in constant memory. */
export async function* activityCsv(db: DbOrTx, actor: Principal, filters: ActivityFilters): AsyncGenerator<string> {
  yield csvLine(HEADER);
  let cursor: string | undefined;
  do {
    const page = await listActivity(db, actor, { ...filters, limit: PAGE, cursor });
    yield page.items.map((a) => csvLine([a.createdAt, a.actor, a.system ? "yes" : "no", a.action, a.targetType, a.targetLabel, a.outcome, a.message])).join("");
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** `safehold-activity-2026-12-07.csv`: the day it was exported. */
export function activityCsvFileName(now = new Date()): string {
  return `safehold-activity-${now.toISOString().slice(0, 10)}.csv`;
}
