"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { Badge, Card, EmptyState, Table, Td, TableHead } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { formatDateTime, formatRelative, ROLE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import { CreateTokenDialog } from "./create-token-dialog";

type Token = inferRouterOutputs<AppRouter>["apiTokens"]["list"]["items"][number];

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function TokenStatus({ token, now }: { token: Token; now: number }) {
  if (token.revokedAt) {
    return (
      <span title={`Revoked ${formatDateTime(token.revokedAt)}`}>
        <Badge>Revoked</Badge>
      </span>
    );
  }
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now) {
    return (
      <span title={`Expired ${formatDateTime(token.expiresAt)}`}>
        <Badge tone="warning">Expired</Badge>
      </span>
    );
  }
  return <Badge tone="success">Active</Badge>;
}

/** This member's API tokens in this organization: each is shown once, when created, and can be revoked. */
export function ApiTokensCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role } = useConsoleSession();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions(undefined, { select: (page) => page.items }));
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const revoke = useMutation(
    trpc.apiTokens.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() });
        setRevoking(null);
      },
    }),
  );
  // When the list arrived: what "expired" is measured against (a render must not read the clock).
  const now = tokens.dataUpdatedAt;
  const createButton = (
    <Button onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> Create token
    </Button>
  );

  function closeRevoke() {
    setRevoking(null);
    revoke.reset();
  }

  return (
    <div id="api-tokens" className="scroll-mt-6">
      <Card
        title="API tokens"
        description={
          <>
            For scripts and tools using the REST API (described in{" "}
            <a href="/api/v1/openapi.json" target="_blank" rel="noreferrer" className="font-medium text-brand-700 hover:underline">
              /api/v1/openapi.json
            </a>
            ), sent as <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">Authorization: Bearer &lt;token&gt;</code>. A token acts with your role in
            this organization (now <strong className="font-medium text-slate-700">{ROLE_LABEL[role]}</strong>) and only you see your tokens.
          </>
        }
        actions={createButton}
        padded={false}
      >
        <QueryState query={tokens} what="API tokens">
          {() =>
            !tokens.data?.length ? (
              <EmptyState icon={<KeyRound className="size-6" />} title="No tokens yet">
                Create one for each script or tool, so you can revoke one without breaking the others.
              </EmptyState>
            ) : (
              <Table>
                <TableHead labels={["Name", "Token", "Created", "Expires", "Last used", "Status"]} actions />
                <tbody className="divide-y divide-slate-100">
                  {tokens.data.map((t) => (
                    <tr key={t.id}>
                      <Td className="font-medium text-slate-900">{t.name}</Td>
                      <Td className="font-mono text-xs whitespace-nowrap">{t.prefix}…</Td>
                      <Td className="whitespace-nowrap text-slate-500">{formatDate(t.createdAt)}</Td>
                      <Td className="whitespace-nowrap text-slate-500">{t.expiresAt ? <span title={formatDateTime(t.expiresAt)}>{formatDate(t.expiresAt)}</span> : "Never"}</Td>
                      <Td className="whitespace-nowrap">
                        <span className="text-slate-500" title={t.lastUsedAt ? formatDateTime(t.lastUsedAt) : undefined}>
                          {formatRelative(t.lastUsedAt)}
                        </span>
                      </Td>
                      <Td>
                        <TokenStatus token={t} now={now} />
                      </Td>
                      <Td className="text-right">
                        {!t.revokedAt && (
                          <Button variant="ghost" size="sm" onClick={() => setRevoking(t)}>
                            Revoke
                          </Button>
                        )}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        </QueryState>
      </Card>
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
      {revoking && (
        <ConfirmDialog title="Revoke token" confirmLabel="Revoke" pending={revoke.isPending} error={revoke.error} onClose={closeRevoke} onConfirm={() => revoke.mutate({ id: revoking.id })}>
          <p>
            Revoke <strong>{revoking.name}</strong> (<span className="font-mono text-xs">{revoking.prefix}…</span>)? Anything still using it is refused from now on. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
