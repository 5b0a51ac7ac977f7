"use client";

import { Download } from "lucide-react";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { CopyButton } from "@/app/_components/ui/copy-button";
import { Checkbox } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";

function codesText(codes: string[], account: string): string {
  return [
    `Safehold recovery codes for ${account}`,
    `Created ${new Date().toISOString().slice(0, 10)}. Each code signs you in once, instead of a code from your authenticator app.`,
    "",
    ...codes,
    "",
  ].join("\n");
}

function download(codes: string[], account: string) {
  const url = URL.createObjectURL(new Blob([codesText(codes, account)], { type: "text/plain" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "safehold-recovery-codes.txt";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The ten recovery codes, shown this once: copy or download them, and say they are saved before going on.
 */
export function RecoveryCodes({ codes, account, onDone, doneLabel = "Done" }: { codes: string[]; account: string; onDone: () => void; doneLabel?: string }) {
  const [saved, setSaved] = useState(false);
  return (
    <div className="space-y-4">
      <Alert tone="warning" title="Save your recovery codes now">
        If you lose your phone, each code signs you in once instead of a code from the app. They are not shown again; keep them somewhere safe, apart from your
        phone (a password manager, or printed).
      </Alert>
      <ol aria-label="Recovery codes" className="grid grid-cols-2 gap-x-6 gap-y-2 rounded-md bg-slate-50 px-5 py-4 font-mono text-sm text-slate-900 ring-1 ring-slate-200 ring-inset">
        {codes.map((code, i) => (
          <li key={code} className="flex items-baseline gap-2">
            <span className="w-5 text-right text-xs text-slate-400 select-none">{i + 1}.</span>
            <span className="tracking-wide">{code}</span>
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={codes.join("\n")} label="Copy all" />
        <Button variant="secondary" size="sm" onClick={() => download(codes, account)}>
          <Download className="size-3.5" aria-hidden /> Download as .txt
        </Button>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4">
        <Checkbox label="I have saved these codes" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
        <Button disabled={!saved} onClick={onDone}>
          {doneLabel}
        </Button>
      </div>
    </div>
  );
}
