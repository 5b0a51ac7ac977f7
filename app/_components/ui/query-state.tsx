"use client";

import { AlertTriangle, RotateCw } from "lucide-react";
import type { ReactNode } from "react";
import { errorMessage } from "@/app/_lib/errors";
import { Button } from "./button";

/** What every data query on a page offers these: its state, its error, and a way to try again. */
type QueryLike = { data?: unknown; isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown; isRefetching?: boolean };

/**
 * A failed load: the message and Retry. Shown instead of the content, never as an empty state, so a console that
 * cannot reach its API never looks as if the data were gone.
 */
export function QueryError({ what, error, onRetry, retrying }: { what: string; error: unknown; onRetry: () => unknown; retrying?: boolean }) {
  return (
    <div role="alert" className="flex flex-col items-center px-6 py-10 text-center">
      <div className="mb-3 rounded-full bg-red-50 p-3 text-red-600">
        <AlertTriangle className="size-6" aria-hidden />
      </div>
      <h3 className="text-sm font-semibold text-slate-900">Could not load {what}</h3>
      <p className="mt-1 max-w-md text-sm text-slate-600">{errorMessage(error)}</p>
      <Button variant="secondary" size="sm" className="mt-4" loading={retrying} onClick={() => onRetry()}>
        <RotateCw className="size-3.5" aria-hidden /> Retry
      </Button>
    </div>
  );
}

/**
 * Loading, error (with Retry) or the content: `children` renders only once the query has data. A refresh that fails
 * after data was shown keeps the data on screen (react-query retries it).
 */
export function QueryState({ query, what, children, loading }: { query: QueryLike; what: string; children: () => ReactNode; loading?: ReactNode }) {
  if (query.isError && query.data === undefined) return <QueryError what={what} error={query.error} onRetry={query.refetch} retrying={query.isRefetching} />;
  if (query.isPending) return loading ?? <p className="px-5 py-10 text-center text-sm text-slate-500" aria-busy="true">Loading {what}…</p>;
  return <>{children()}</>;
}
