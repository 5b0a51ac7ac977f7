"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

/** Records one erased person (their email, or their record in the application, and why) on a project's erasure list. */
export function ErasureRequestForm({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState("");
  const [note, setNote] = useState("");
  const add = useMutation(
    trpc.erasure.add.mutationOptions({
      onSuccess: async () => {
        setSubject("");
        setNote("");
        await queryClient.invalidateQueries({ queryKey: trpc.erasure.list.queryKey({ projectId }) });
      },
    }),
  );
  const failure = errorInfo(add.error);
  const fields = failure?.fields ?? {};

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ projectId, subject, note });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate aria-label="Add an erasure request">
      {failure && !fields.subject && !fields.note && <Alert tone="danger">{failure.message}</Alert>}
      <div className="grid items-start gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto]">
        <Field
          label="Email of the erased person, or their record"
          hint="A record is its type and id, as the application names them (e.g. partner,42)"
          htmlFor="erasure-subject"
          error={fields.subject}
        >
          <Input
            id="erasure-subject"
            autoComplete="off"
            spellCheck={false}
            placeholder="name@example.com or partner,42"
            value={subject}
            invalid={Boolean(fields.subject)}
            onChange={(e) => {
              setSubject(e.target.value);
              add.reset();
            }}
          />
        </Field>
        <Field label="Note (optional)" htmlFor="erasure-note" error={fields.note}>
          <Input id="erasure-note" placeholder="e.g. request of 12 May, ticket #4711" value={note} invalid={Boolean(fields.note)} onChange={(e) => setNote(e.target.value)} />
        </Field>
        <div className="sm:pt-6.5">
          <Button type="submit" loading={add.isPending} disabled={!subject.trim()} title={subject.trim() ? undefined : "Enter an email address or a record first"}>
            Add
          </Button>
        </div>
      </div>
    </form>
  );
}
