"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

/** Names a new token, then shows it once: only its hash is kept on the server. */
export function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const create = useMutation(trpc.apiTokens.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const failure = errorInfo(create.error);
  const token = create.data?.token;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
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
      <Dialog open onClose={onClose} title="Token created" description={`“${create.data?.item.name}” is ready to use.`} footer={<Button onClick={onClose}>Done</Button>}>
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
        {failure && !failure.fields.name && <Alert tone="danger">{failure.message}</Alert>}
        <Field label="Name" htmlFor="token-name" hint="What uses it, e.g. “Monitoring” or “Deploy script”" error={failure?.fields.name}>
          <Input id="token-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus invalid={Boolean(failure?.fields.name)} />
        </Field>
      </form>
    </Dialog>
  );
}
