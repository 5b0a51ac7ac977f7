"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UserPlus, Users } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Button } from "@/app/_components/ui/button";
import { Card, EmptyState, Table, Th } from "@/app/_components/ui/layout";
import { QueryState } from "@/app/_components/ui/query-state";
import { useConsoleSession } from "@/app/_lib/console-context";
import { ROLE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Role } from "@/shared/enum-values";
import { AddMemberDialog } from "./add-member-dialog";
import { MemberRow } from "./member-row";
import { ResetPasswordDialog, ResetTwoFactorDialog } from "./reset-dialogs";
import { ROLES_BY_RANK, type Member } from "./roles";

export function MembersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { can, userId: myUserId } = useConsoleSession();
  const members = useQuery(trpc.members.list.queryOptions(undefined, { select: (page) => page.items }));
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resettingPassword, setResettingPassword] = useState<Member | null>(null);
  const [resettingTwoFactor, setResettingTwoFactor] = useState<Member | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async (_result, { userId }) => {
        await queryClient.invalidateQueries();
        setRemoving(null);
        if (userId === myUserId) router.refresh();
      },
    }),
  );
  // Only owners can give or take the owner role; the server enforces this too.
  const assignable: Role[] = can("owner") ? ROLES_BY_RANK : can("admin") ? ROLES_BY_RANK.filter((r) => r !== "owner") : [];
  const addButton = can("admin") && (
    <Button onClick={() => setAdding(true)}>
      <UserPlus className="size-4" aria-hidden /> Add member
    </Button>
  );

  function closeRemove() {
    setRemoving(null);
    remove.reset();
  }

  return (
    <>
      <Card title="Members" description="Everyone who can sign in to this organization, and what they may do." actions={addButton} padded={false}>
        <QueryState query={members} what="members">
          {() =>
            !members.data?.length ? (
              <EmptyState icon={<Users className="size-6" />} title="No members" />
            ) : (
              <Table>
                <thead>
                  <tr>
                    <Th>Member</Th>
                    <Th>Role</Th>
                    <Th>2FA</Th>
                    <Th className="whitespace-nowrap">Last sign-in</Th>
                    <Th className="whitespace-nowrap">Member since</Th>
                    {assignable.length > 0 && (
                      <Th>
                        <span className="sr-only">Actions</span>
                      </Th>
                    )}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {members.data.map((m) => (
                    <MemberRow key={m.userId} member={m} isSelf={m.userId === myUserId} assignable={assignable} onRemove={setRemoving} onResetPassword={setResettingPassword} onResetTwoFactor={setResettingTwoFactor} />
                  ))}
                </tbody>
              </Table>
            )
          }
        </QueryState>
      </Card>
      {resettingPassword && <ResetPasswordDialog member={resettingPassword} onClose={() => setResettingPassword(null)} />}
      {resettingTwoFactor && <ResetTwoFactorDialog member={resettingTwoFactor} onClose={() => setResettingTwoFactor(null)} />}
      {adding && <AddMemberDialog assignable={assignable} onClose={() => setAdding(false)} />}
      {removing && (
        <ConfirmDialog
          title="Remove member"
          confirmLabel="Remove"
          pending={remove.isPending}
          error={remove.error}
          onClose={closeRemove}
          onConfirm={() => remove.mutate({ userId: removing.userId })}
        >
          <p>
            Remove <strong>{removing.email}</strong> ({ROLE_LABEL[removing.role]}) from this organization? They can no longer sign in to it, and their API tokens for it stop working.
          </p>
          {removing.userId === myUserId && <p className="font-medium text-red-700">This is you: you will lose access to this organization.</p>}
        </ConfirmDialog>
      )}
    </>
  );
}
