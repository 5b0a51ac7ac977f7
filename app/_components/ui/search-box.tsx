"use client";

import { Search } from "lucide-react";
import { useEffect, useState } from "react";
import { Input } from "./field";

const SEARCH_DELAY_MS = 300;

/** A search box whose value lives in the URL: typing updates it once the user pauses, and the back button's value shows in it. */
export function SearchBox({ value, onSearch, placeholder }: { value: string; onSearch: (q: string) => void; placeholder: string }) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  const [sent, setSent] = useState(value);
  // The URL changed under us (back button, a cleared filter): show its value, unless it is what we just sent.
  if (value !== seen) {
    setSeen(value);
    if (value !== sent) setDraft(value);
  }
  useEffect(() => {
    if (draft.trim() === value) return;
    const timer = setTimeout(() => {
      setSent(draft.trim());
      onSearch(draft.trim());
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, value, onSearch]);
  return (
    <div className="relative min-w-0 flex-1 basis-56">
      <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-slate-400" aria-hidden />
      <Input type="search" aria-label="Search" placeholder={placeholder} className="pl-8" value={draft} onChange={(e) => setDraft(e.target.value)} />
    </div>
  );
}
