"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { Alert, Badge, Card, Table, Td, Th } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { QueryState } from "@/app/_components/ui/query-state";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { AppRouter } from "@/server/api/root";
import { RecoveryKitPanel } from "./recovery-kit-panel";
import { RotateKeyDialog } from "./rotate-key-dialog";

type OrganizationKey = inferRouterOutputs<AppRouter>["organizationKeys"]["list"]["items"][number];

function KeyTable({ keys }: { keys: OrganizationKey[] }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Public key</Th>
          <Th>Created</Th>
          <Th>Retired</Th>
          <Th>Recovery kit</Th>
          <Th className="text-right">Encrypted files</Th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} data-testid="organization-key">
            <Td>
              <code className="break-all font-mono text-xs text-slate-700">{key.recipient}</code> {key.retiredAt === null && <Badge tone="success">Current</Badge>}
            </Td>
            <Td>{formatDateTime(key.createdAt)}</Td>
            <Td>{key.retiredAt ? formatDateTime(key.retiredAt) : "—"}</Td>
            <Td>{key.kitConfirmedAt ? `Saved ${formatDateTime(key.kitConfirmedAt)} by ${key.kitConfirmedBy ?? "a former member"}` : <Badge tone="warning">Not confirmed</Badge>}</Td>
            <Td className="text-right tabular-nums">{key.encryptedFiles}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/**
 * Settings › Encryption: the organization's age keys. Owners save each key's recovery kit once, create the key
 * when there is none, and rotate it; everyone sees the public keys and what each encrypts.
 */
export function EncryptionView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useConsoleSession();
  const owner = can("owner");
  const [rotating, setRotating] = useState(false);
  const keys = useQuery(trpc.organizationKeys.list.queryOptions());
  const create = useMutation(trpc.organizationKeys.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const items = keys.data?.items ?? [];
  const current = items.find((k) => k.retiredAt === null);

  return (
    <div className="space-y-6">
      {owner && current && !current.kitConfirmedAt && <RecoveryKitPanel keyId={current.id} recipient={current.recipient} />}
      <Card
        title="Organization keys"
        description="Backups whose policy says Encrypt are stored encrypted (age) to the current key. Retired keys are kept so older backups stay restorable and downloadable."
        actions={
          owner && current ? (
            <Button variant="secondary" onClick={() => setRotating(true)}>
              Rotate the organization key
            </Button>
          ) : undefined
        }
      >
        <QueryState query={keys} what="the organization keys">
          {() =>
            items.length === 0 ? (
              <div className="space-y-3">
                <Alert tone="info">The organization has no key yet: it gets one when encryption is turned on, or here.</Alert>
                {create.error && <Alert tone="danger">{errorInfo(create.error)?.message}</Alert>}
                {owner && (
                  <Button onClick={() => create.mutate({})} loading={create.isPending}>
                    Create the organization key
                  </Button>
                )}
              </div>
            ) : (
              <KeyTable keys={items} />
            )
          }
        </QueryState>
      </Card>
      {rotating && <RotateKeyDialog open onClose={() => setRotating(false)} />}
    </div>
  );
}
