"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut, Monitor } from "lucide-react";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { Alert, Badge, Card, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime, formatRelative } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Account } from "./types";

type Session = Account["sessions"][number];

/** Where this person is signed in; any other session can be ended, or all of them at once. */
export function SessionsCard({ account }: { account: Account }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);
  const [ending, setEnding] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
  const end = useMutation(trpc.account.endSession.mutationOptions({ onSettled: () => setEnding(null), onSuccess: refresh }));
  const everywhere = useMutation(
    trpc.account.signOutEverywhere.mutationOptions({
      // This session has ended on the server too; signing out clears the browser's cookie and opens the sign-in page.
      onSuccess: () => signOut({ callbackUrl: "/signin" }),
    }),
  );
  const endFailure = errorInfo(end.error);
  // This browser first, then the most recently active.
  const sessions = [...account.sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));

  function endOne(session: Session) {
    setEnding(session.id);
    end.mutate({ id: session.id });
  }

  return (
    <Card
      title="Sessions"
      description="The browsers signed in to your account. A session you do not recognise? End it, then change your password."
      actions={
        <Button variant="secondary" onClick={() => setConfirmEverywhere(true)}>
          <LogOut className="size-4" aria-hidden /> Sign out everywhere
        </Button>
      }
      padded={false}
    >
      {endFailure && (
        <div className="px-5 pt-4">
          <Alert tone="danger">{endFailure.message}</Alert>
        </div>
      )}
      <Table>
        <TableHead labels={["Device", "IP address", "Signed in", "Last seen"]} actions />
        <tbody className="divide-y divide-slate-100">
          {sessions.map((s) => (
            <tr key={s.id}>
              <Td>
                <span className="flex items-center gap-2 font-medium text-slate-900">
                  <Monitor className="size-4 shrink-0 text-slate-400" aria-hidden />
                  {s.device}
                  {s.current && <Badge tone="info">This session</Badge>}
                </span>
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">{s.ip ?? "—"}</Td>
              <Td className="whitespace-nowrap text-slate-500">{formatDateTime(s.createdAt)}</Td>
              <Td className="whitespace-nowrap">
                <span className="text-slate-500" title={formatDateTime(s.lastSeenAt)}>
                  {s.current ? "now" : formatRelative(s.lastSeenAt)}
                </span>
              </Td>
              <Td className="text-right">
                {!s.current && (
                  <Button variant="ghost" size="sm" loading={ending === s.id} onClick={() => endOne(s)} aria-label={`End the session on ${s.device} from ${s.ip ?? "an unknown address"}`}>
                    End
                  </Button>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {confirmEverywhere && (
        <ConfirmDialog
          title="Sign out everywhere"
          confirmLabel="Sign out everywhere"
          pending={everywhere.isPending || everywhere.isSuccess}
          error={everywhere.error}
          onClose={() => {
            setConfirmEverywhere(false);
            everywhere.reset();
          }}
          onConfirm={() => everywhere.mutate()}
        >
          <p>
            End all {sessions.length === 1 ? "" : `${sessions.length} `}sessions of <strong>{account.email}</strong>, this one included? You will be taken to the
            sign-in page. API tokens keep working: revoke them below if they are at risk.
          </p>
        </ConfirmDialog>
      )}
    </Card>
  );
}
