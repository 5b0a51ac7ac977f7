"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Checkbox } from "@/app/_components/ui/field";
import { Alert, Card } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import { printKit, saveKitFile, type RecoveryKit } from "./recovery-kit";

/**
 * The current key's recovery kit, offered to owners until one of them confirms having saved it. The private key
 * is fetched only when asked for (each fetch is recorded) and never kept in the page.
 */
export function RecoveryKitPanel({ keyId, recipient }: { keyId: string; recipient: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const [popupError, setPopupError] = useState<string | null>(null);
  const fetchKit = useMutation(trpc.organizationKeys.recoveryKit.mutationOptions());
  const confirm = useMutation(trpc.organizationKeys.confirmKit.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(fetchKit.error) ?? errorInfo(confirm.error);

  async function withKit(hand: (kit: RecoveryKit) => void) {
    setPopupError(null);
    try {
      hand(await fetchKit.mutateAsync({ id: keyId }));
    } catch (err) {
      if (!fetchKit.error) setPopupError((err as Error).message);
    }
  }

  return (
    <Card title="Save the recovery kit" description="Offered once: after you confirm, the console never shows this private key again.">
      <div className="space-y-4" data-testid="recovery-kit-panel">
        <Alert tone="warning" title="Backups are encrypted to a key only this console holds">
          If the console and its key were lost, the recovery kit is the only way to read your backups: save the file somewhere safe and offline, or
          print it. With it, anyone can decrypt a backup without Safehold: <code className="font-mono text-xs">age -d -i kit.txt backup-….sql.gz.age | gunzip &gt; dump.sql</code>
        </Alert>
        <p className="text-sm text-slate-600">
          Public key <code className="break-all font-mono text-xs">{recipient}</code>
        </p>
        {failure && <Alert tone="danger">{failure.message}</Alert>}
        {popupError && <Alert tone="danger">{popupError}</Alert>}
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => withKit(saveKitFile)} loading={fetchKit.isPending}>
            Download the recovery kit
          </Button>
          <Button variant="secondary" onClick={() => withKit(printKit)} disabled={fetchKit.isPending}>
            Print the recovery kit
          </Button>
        </div>
        <div className="border-t border-slate-200 pt-4">
          <Checkbox id="kit-saved" label="I have saved the recovery kit" hint="Stored offline or printed and put away, where a colleague can find it" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
          <Button className="mt-3" disabled={!saved} loading={confirm.isPending} onClick={() => confirm.mutate({ id: keyId })}>
            Confirm
          </Button>
        </div>
      </div>
    </Card>
  );
}
