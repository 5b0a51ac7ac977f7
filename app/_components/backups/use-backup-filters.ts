"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { BACKUP_STATUSES, BACKUP_TYPES } from "@/shared/enum-values";

export type BackupStatus = (typeof BACKUP_STATUSES)[number];
export type BackupType = (typeof BACKUP_TYPES)[number];

/** The Backups page's filters as they appear in its URL (`?status=failed&project=…&from=2025-03-01`). */
export type FilterParam = "status" | "type" | "project" | "environment" | "from" | "to" | "q";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.includes(value as T) ? (value as T) : undefined;
}

const matching = (pattern: RegExp, value: string | null) => (value && pattern.test(value) ? value : undefined);

/** The start of a local calendar day, or its end, as an ISO instant for the API. */
const dayStart = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const dayEnd = (day: string) => new Date(`${day}T23:59:59.999`).toISOString();

/**
 * The filters live in the URL, so a filtered view survives a reload, can be shared, and the back button
 * steps through earlier ones. Values that don't parse are ignored.
 */
export function useBackupFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = {
    status: oneOf(BACKUP_STATUSES, params.get("status")),
    type: oneOf(BACKUP_TYPES, params.get("type")),
    projectId: matching(UUID, params.get("project")),
    environmentId: matching(UUID, params.get("environment")),
    from: matching(DAY, params.get("from")),
    to: matching(DAY, params.get("to")),
    q: params.get("q")?.trim() || undefined,
  };

  function withPatch(base: URLSearchParams, patch: Partial<Record<FilterParam, string | undefined>>): string {
    for (const [name, value] of Object.entries(patch)) {
      if (value) base.set(name, value);
      else base.delete(name);
    }
    return `${pathname}${base.size ? `?${base}` : ""}`;
  }

  /** This view with some filters changed, for links. */
  const hrefWith = (patch: Partial<Record<FilterParam, string | undefined>>) => withPatch(new URLSearchParams(params), patch);

  /**
   * Changes filters from an event: a new history entry by default; `replace` for typing, which should not fill
   * the history. It starts from the address bar, so a handler kept from an earlier render loses nothing.
   */
  function update(patch: Partial<Record<FilterParam, string | undefined>>, mode: "push" | "replace" = "push") {
    const href = withPatch(new URLSearchParams(window.location.search), patch);
    if (mode === "push") router.push(href, { scroll: false });
    else router.replace(href, { scroll: false });
  }

  /** What the API takes: every filter but status, dates as the start and end of those local days. */
  const query = {
    type: filters.type,
    projectId: filters.projectId,
    environmentId: filters.environmentId,
    q: filters.q,
    from: filters.from ? dayStart(filters.from) : undefined,
    to: filters.to ? dayEnd(filters.to) : undefined,
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);
  return { filters, query, filtered, update, hrefWith };
}
