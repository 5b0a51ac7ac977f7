"use client";

import { useEffect, useRef } from "react";
import { formatTime } from "@/app/_lib/format";
import type { RestoreItem } from "./restore-types";

/** A restore's log, oldest first, errors in red; it follows new lines as they arrive. */
export function RestoreLog({ log }: { log: RestoreItem["log"] }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [log.length]);
  if (log.length === 0) return <p className="text-xs text-slate-500">Nothing logged yet.</p>;
  return (
    <ol ref={list} className="max-h-60 space-y-1 overflow-y-auto rounded-md bg-slate-50 px-3 py-2.5 text-xs ring-1 ring-slate-200 ring-inset" aria-label="Restore log">
      {log.map((line, index) => (
        <li key={`${line.at}-${index}`} className="flex gap-3">
          <time dateTime={line.at} className="shrink-0 text-slate-400 tabular-nums">
            {formatTime(line.at)}
          </time>
          <span className={`min-w-0 break-words ${line.level === "error" ? "font-medium text-red-600" : line.level === "warn" ? "text-amber-700" : "text-slate-700"}`}>{line.message}</span>
        </li>
      ))}
    </ol>
  );
}
