"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { Alert, Badge, Card, EmptyState, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime, formatRelative, ROLE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import { CreateTokenDialog } from "./create-token-dialog";

type Token = inferRouterOutputs<AppRouter>["apiTokens"]["list"][number];

export function ApiTokensView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role } = useConsoleSession();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const revoke = useMutation(
    trpc.apiTokens.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        setRevoking(null);
      },
    }),
  );
  const loadError = errorInfo(tokens.error);
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
    <div className="space-y-6">
      <Card title="Using the API">
        <div className="space-y-2 text-sm text-slate-600">
          <p>
            Scripts and other tools reach Safehold through its REST API with a personal token. A token acts with your role in this organization (currently{" "}
            <strong>{ROLE_LABEL[role]}</strong>): if your role changes or you leave the organization, so do its rights.
          </p>
          <p>
            Send it in every request as <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs">Authorization: Bearer &lt;token&gt;</code>. The endpoints are described in{" "}
            <a href="/api/v1/openapi.json" target="_blank" rel="noreferrer" className="font-medium text-brand-700 hover:underline">
              /api/v1/openapi.json
            </a>{" "}
            (OpenAPI).
          </p>
        </div>
      </Card>
      <Card title="Your tokens" description="Only you see your tokens. A token is shown once, when it is created." actions={createButton} padded={false}>
        {loadError ? (
          <div className="p-5">
            <Alert tone="danger">{loadError.message}</Alert>
          </div>
        ) : tokens.isLoading ? (
          <p className="px-5 py-10 text-center text-sm text-slate-500">Loading…</p>
        ) : !tokens.data?.length ? (
          <EmptyState icon={<KeyRound className="size-6" />} title="No tokens yet">
            Create one for each script or tool, so you can revoke one without breaking the others.
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Status</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium text-slate-900">{t.name}</Td>
                  <Td className="font-mono text-xs whitespace-nowrap">{t.prefix}…</Td>
                  <Td className="whitespace-nowrap">
                    <span className="text-slate-500">{formatDateTime(t.createdAt)}</span>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <span className="text-slate-500" title={formatDateTime(t.lastUsedAt)}>
                      {formatRelative(t.lastUsedAt)}
                    </span>
                  </Td>
                  <Td>
                    {t.revokedAt ? (
                      <span title={`Revoked ${formatDateTime(t.revokedAt)}`}>
                        <Badge>Revoked</Badge>
                      </span>
                    ) : (
                      <Badge tone="success">Active</Badge>
                    )}
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
        )}
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
