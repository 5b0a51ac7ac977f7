"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";

/** A link in a read-only box with a Copy button that confirms it copied. */
export function CopyLink({ url, label }: { url: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(url);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="flex items-center gap-2">
      <input
        readOnly
        value={url}
        aria-label={`Link to ${label}`}
        onFocus={(e) => e.currentTarget.select()}
        className="min-w-0 flex-1 rounded-md bg-slate-50 px-2.5 py-1.5 font-mono text-xs text-slate-700 ring-1 ring-slate-200 ring-inset"
      />
      <Button size="sm" variant="secondary" onClick={copy} aria-label={`Copy link to ${label}`}>
        {copied ? <Check className="size-3.5 text-emerald-600" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}
