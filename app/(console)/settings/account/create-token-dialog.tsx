"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

const EXPIRIES = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
] as const;

type Expiry = (typeof EXPIRIES)[number]["value"];

function expiresInDays(expiry: Expiry): 30 | 90 | 365 | null {
  return expiry === "never" ? null : (Number(expiry) as 30 | 90 | 365);
}

/** Names a new token and how long it lasts, then shows it once: only its hash is kept on the server. */
export function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const create = useMutation(trpc.apiTokens.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() }) }));
  const failure = errorInfo(create.error);
  const token = create.data?.token;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, expiresInDays: expiresInDays(expiry) });
  }

  async function copy() {
    if (!token) return;
    try {
      await navigator.clipboard.writeText(token);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  if (token) {
    return (
      <Dialog open onClose={onClose} title="Token created" description={`“${create.data?.item.name}” is ready to use${create.data?.item.expiresAt ? ` until ${new Date(create.data.item.expiresAt).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" })}` : ""}.`} footer={<Button onClick={onClose}>Done</Button>}>
        <div className="space-y-4">
          <Alert tone="warning" title="Copy it now">
            This token will not be shown again. Store it somewhere safe; if you lose it, revoke it and create a new one.
          </Alert>
          <Field
            label="Token"
            htmlFor="new-token"
            error={copied === "failed" ? "The browser refused to copy: select the token and copy it by hand." : undefined}
            hint={copied === "yes" ? "Copied to the clipboard." : undefined}
          >
            <div className="flex gap-2">
              <Input id="new-token" readOnly value={token} className="font-mono text-xs" onFocus={(e) => e.target.select()} />
              <Button variant="secondary" onClick={copy}>
                Copy
              </Button>
            </div>
          </Field>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Create token"
      description="A token acts with your role in this organization."
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form="create-token-form" loading={create.isPending}>
            Create token
          </Button>
        </>
      }
    >
      <form id="create-token-form" onSubmit={onSubmit} className="space-y-4" noValidate>
        {failure && !failure.fields.name && !failure.fields.expiresInDays && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Name" htmlFor="token-name" hint="What uses it, e.g. “Monitoring” or “Deploy script”" error={failure?.fields.name}>
          <Input id="token-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(failure?.fields.name)} />
        </Field>
        <Field
          label="Expires"
          htmlFor="token-expiry"
          hint={expiry === "never" ? "It works until you revoke it. Prefer an expiry unless a machine you control holds it." : "Requests with it are refused after that: create a new one before then."}
          error={failure?.fields.expiresInDays}
        >
          <Select id="token-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)} className="max-w-48">
            {EXPIRIES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}
