"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { ROLE_LABEL } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Role } from "@/shared/enum-values";
import { ROLE_DESCRIPTION, ROLES_BY_RANK } from "./roles";

const FIELDS = ["email", "name", "password", "role"];

export function AddMemberDialog({ onClose, assignable }: { onClose: () => void; assignable: Role[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        toast.success(`${name || email} added as ${ROLE_LABEL[role]}`);
        onClose();
      },
    }),
  );
  const failure = errorInfo(add.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ email, name, password: password || undefined, role });
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Add member"
      description="Give a colleague access to this organization."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="add-member-form" loading={add.isPending}>
            Add member
          </Button>
        </>
      }
    >
      <form id="add-member-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !FIELDS.some((f) => failure.fields[f]) && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Email" htmlFor="member-email" error={failure?.fields.email}>
          <Input id="member-email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus invalid={Boolean(failure?.fields.email)} />
        </Field>
        <Field label="Name (optional)" htmlFor="member-name" error={failure?.fields.name}>
          <Input id="member-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} invalid={Boolean(failure?.fields.name)} />
        </Field>
        <Field
          label="First password"
          htmlFor="member-password"
          error={failure?.fields.password}
          hint="The new member signs in with it (at least 10 characters). If the email already has a Safehold account, it is added with its existing password: leave this empty."
        >
          <Input id="member-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} invalid={Boolean(failure?.fields.password)} />
        </Field>
        <Field
          label="Role"
          htmlFor="member-role"
          error={failure?.fields.role}
          hint={ROLES_BY_RANK.map((r) => (
            <span key={r} className={`block ${r === role ? "text-slate-800" : ""}`}>
              <span className="font-medium">{ROLE_LABEL[r]}:</span> {ROLE_DESCRIPTION[r]}
            </span>
          ))}
        >
          <Select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)} invalid={Boolean(failure?.fields.role)}>
            {ROLES_BY_RANK.map((r) => (
              <option key={r} value={r} disabled={!assignable.includes(r)}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}
