"use client";

import { useState } from "react";

/** Longer than this (or on several lines), a text is clamped to two lines with "more" to read it whole. */
const CLAMP_AFTER_CHARS = 90;

/** A note or message that may be long: never cut without a way to read it (the whole text is its title too). */
export function ExpandableText({ text, className = "" }: { text: string; className?: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > CLAMP_AFTER_CHARS || text.includes("\n");
  return (
    <div className={className}>
      <p className={`break-words whitespace-pre-line ${long && !open ? "line-clamp-2" : ""}`} title={long && !open ? text : undefined}>
        {text}
      </p>
      {long && (
        <button type="button" className="text-xs font-medium text-brand-700 hover:underline" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "less" : "more"}
        </button>
      )}
    </div>
  );
}
