"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Button } from "@/app/_components/ui/button";
import { Select } from "@/app/_components/ui/field";
import { Badge, Td } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime, formatRelative, ROLE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Role } from "@/shared/enum-values";
import { ROLE_DESCRIPTION, ROLES_BY_RANK, type Member } from "./roles";

/**
 * One member. `assignable` is empty for viewers and operators (read-only row); an admin who is not an owner
 * cannot touch an owner's row.
 */
export function MemberRow({
  member,
  isSelf,
  assignable,
  onRemove,
  onResetPassword,
  onResetTwoFactor,
}: {
  member: Member;
  isSelf: boolean;
  assignable: Role[];
  onRemove: (m: Member) => void;
  onResetPassword: (m: Member) => void;
  onResetTwoFactor: (m: Member) => void;
}) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const queryClient = useQueryClient();
  const router = useRouter();
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        // The console layout holds the signed-in member's role: reload it after changing your own.
        if (isSelf) router.refresh();
      },
    }),
  );
  const failure = errorInfo(changeRole.error);
  const canManage = assignable.length > 0;
  const locked = member.role === "owner" && !assignable.includes("owner");
  const role = changeRole.isPending ? changeRole.variables.role : member.role;
  const selectId = `member-role-${member.userId}`;
  // Your own password and second factor are changed under Settings › Account; the server checks all of this again.
  const canResetPassword = canManage && !isSelf && !locked;
  const canResetTwoFactor = can("owner") && !isSelf && member.twoFactor;

  return (
    <tr>
      <Td>
        <p className="font-medium text-slate-900">
          {member.name || member.email} {isSelf && <Badge tone="info">you</Badge>}
        </p>
        {member.name && <p className="text-xs text-slate-500">{member.email}</p>}
        {member.mustChangePassword && (
          <p className="mt-0.5 text-xs text-amber-700" title="Their password was reset: they choose a new one at their next sign-in.">
            Must change password
          </p>
        )}
      </Td>
      <Td>
        {canManage ? (
          <>
            <label htmlFor={selectId} className="sr-only">
              Role of {member.email}
            </label>
            <Select
              id={selectId}
              className="w-36 min-w-36"
              value={role}
              disabled={locked || changeRole.isPending}
              title={locked ? "Only an owner can change an owner's role" : ROLE_DESCRIPTION[role]}
              invalid={Boolean(failure)}
              onChange={(e) => changeRole.mutate({ userId: member.userId, role: e.target.value as Role })}
            >
              {ROLES_BY_RANK.map((r) => (
                <option key={r} value={r} disabled={!assignable.includes(r)}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </Select>
            {failure && (
              <p className="mt-1 max-w-xs text-xs text-red-600" role="alert">
                {failure.message}
              </p>
            )}
          </>
        ) : (
          <span title={ROLE_DESCRIPTION[member.role]}>{ROLE_LABEL[member.role]}</span>
        )}
      </Td>
      <Td>
        {member.twoFactor ? (
          <span title="Signs in with a code from an authenticator app">
            <Badge tone="success">On</Badge>
          </span>
        ) : (
          <span title="Signs in with a password alone">
            <Badge>Off</Badge>
          </span>
        )}
      </Td>
      <Td className="whitespace-nowrap">
        <span className="text-slate-500" title={formatDateTime(member.lastSignInAt)}>
          {formatRelative(member.lastSignInAt)}
        </span>
      </Td>
      <Td className="whitespace-nowrap">
        <span className="text-slate-500" title={formatDateTime(member.createdAt)}>
          {new Date(member.createdAt).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" })}
        </span>
      </Td>
      {canManage && (
        <Td className="text-right whitespace-nowrap">
          {canResetPassword && (
            <Button variant="ghost" size="sm" onClick={() => onResetPassword(member)}>
              Reset password
            </Button>
          )}
          {canResetTwoFactor && (
            <Button variant="ghost" size="sm" title="Reset two-factor sign-in" onClick={() => onResetTwoFactor(member)}>
              Reset 2FA
            </Button>
          )}
          <Button variant="ghost" size="sm" disabled={locked} title={locked ? "Only an owner can remove an owner" : undefined} onClick={() => onRemove(member)}>
            Remove
          </Button>
        </Td>
      )}
    </tr>
  );
}
