import type { ProjectHealth } from "./types";

export const SORT_KEYS = ["status", "name", "lastSuccess", "nextRun", "size", "compliance"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type Sort = { key: SortKey; descending: boolean };

const collator = new Intl.Collator(undefined, { numeric: true });
const time = (iso: string | null, missing: number) => (iso === null ? missing : Date.parse(iso));

/**
 * Each column's natural order, the one a first click gives: worst first (the server's order), by name, stalest
 * success first, soonest run first, largest first, least compliant first. Missing values go last except a success
 * that never happened, which is the stalest of all.
 */
const ORDERS: Record<SortKey, (a: ProjectHealth, b: ProjectHealth) => number> = {
  status: () => 0,
  name: (a, b) => collator.compare(a.name, b.name),
  lastSuccess: (a, b) => time(a.lastSuccessAt, 0) - time(b.lastSuccessAt, 0),
  nextRun: (a, b) => time(a.nextRunAt, Infinity) - time(b.nextRunAt, Infinity) || 0,
  size: (a, b) => b.storedBytes - a.storedBytes,
  compliance: (a, b) => (a.compliance.percent ?? Infinity) - (b.compliance.percent ?? Infinity) || 0,
};

/** The projects in `sort`'s order; ties (and the status column) keep the server's worst-first order. */
export function sortProjects(projects: ProjectHealth[], sort: Sort): ProjectHealth[] {
  const rank = new Map(projects.map((p, i) => [p.projectId, i]));
  const order = ORDERS[sort.key];
  const sign = sort.descending ? -1 : 1;
  return [...projects].sort((a, b) => sign * (order(a, b) || rank.get(a.projectId)! - rank.get(b.projectId)!));
}
