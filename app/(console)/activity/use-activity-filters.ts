"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

/** The Activity page's filters as they appear in its URL (`?who=all&outcome=failure&project=…&from=2026-12-01`). */
export type ActivityParam = "who" | "outcome" | "project" | "environment" | "action" | "user" | "from" | "to" | "q";

export const WHO = ["people", "system", "all"] as const;
export type Who = (typeof WHO)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ACTION = /^[a-z_]+(\.[a-z_]+)*$/;

const OUTCOMES = ["success", "failure"] as const;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.includes(value as T) ? (value as T) : undefined;
}

const matching = (pattern: RegExp, value: string | null) => (value && pattern.test(value) ? value : undefined);

/** The start of a local calendar day, or its end, as an ISO instant for the API. */
const dayStart = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const dayEnd = (day: string) => new Date(`${day}T23:59:59.999`).toISOString();

/**
 * The filters live in the URL, so a filtered view survives a reload and can be shared; the CSV export takes the
 * same ones. People is the default: what members did is what an operator reads the log for, while the console's own
 * work (scheduled runs, retention) would bury it and already shows on Backups and the dashboard.
 */
export function useActivityFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = {
    who: oneOf(WHO, params.get("who")) ?? "people",
    outcome: oneOf(OUTCOMES, params.get("outcome")),
    projectId: matching(UUID, params.get("project")),
    environmentId: matching(UUID, params.get("environment")),
    action: matching(ACTION, params.get("action")),
    userId: matching(UUID, params.get("user")),
    from: matching(DAY, params.get("from")),
    to: matching(DAY, params.get("to")),
    q: params.get("q")?.trim() || undefined,
  };

  /** Changes filters: a new history entry, or `replace` for typing, which should not fill the history. */
  function update(patch: Partial<Record<ActivityParam, string | undefined>>, mode: "push" | "replace" = "push") {
    const next = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(patch)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const href = `${pathname}${next.size ? `?${next}` : ""}`;
    if (mode === "push") router.push(href, { scroll: false });
    else router.replace(href, { scroll: false });
  }

  /** What the API (and the CSV export) take. */
  const query = {
    actors: filters.who,
    outcome: filters.outcome,
    projectId: filters.projectId,
    environmentId: filters.environmentId,
    action: filters.action,
    userId: filters.userId,
    q: filters.q,
    from: filters.from ? dayStart(filters.from) : undefined,
    to: filters.to ? dayEnd(filters.to) : undefined,
  };
  const csvParams = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])));
  const csvHref = `/api/v1/activity.csv?${csvParams}`;
  const filtered = Object.entries(filters).some(([name, value]) => (name === "who" ? value !== "people" : value !== undefined));
  const clear = () => update({ who: undefined, outcome: undefined, project: undefined, environment: undefined, action: undefined, user: undefined, from: undefined, to: undefined, q: undefined });
  return { filters, query, filtered, update, clear, csvHref };
}
