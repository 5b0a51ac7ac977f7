"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Field, Input } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";

export function SetupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [signInError, setSignInError] = useState<string>();
  const createOwner = useMutation(trpc.setup.createOwner.mutationOptions());
  const failure = errorInfo(createOwner.error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email"));
    const password = String(form.get("password"));
    await createOwner.mutateAsync({ organizationName: String(form.get("organizationName")), name: String(form.get("name")), email, password }).then(
      async () => {
        const result = await signIn("credentials", { email, password, redirect: false });
        if (result?.error) {
          setSignInError(`Your account was created, but signing in failed: ${result.error}`);
          return;
        }
        router.replace("/");
        router.refresh();
      },
      () => {},
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      <div>
        <h1 className="text-lg font-semibold text-slate-900">Welcome to Safehold</h1>
        <p className="mt-1 text-sm text-slate-500">Create your organization and its owner account. You can invite your team afterwards.</p>
      </div>
      {failure && Object.keys(failure.fields).length === 0 && <Alert tone="danger">{failure.message}</Alert>}
      {signInError && <Alert tone="danger">{signInError}</Alert>}
      <Field label="Organization" htmlFor="organizationName" hint="Your agency's name" error={failure?.fields.organizationName}>
        <Input id="organizationName" name="organizationName" required autoFocus invalid={Boolean(failure?.fields.organizationName)} />
      </Field>
      <Field label="Your name" htmlFor="name" error={failure?.fields.name}>
        <Input id="name" name="name" autoComplete="name" />
      </Field>
      <Field label="Email" htmlFor="email" error={failure?.fields.email}>
        <Input id="email" name="email" type="email" autoComplete="username" required invalid={Boolean(failure?.fields.email)} />
      </Field>
      <Field label="Password" htmlFor="password" hint="At least 10 characters" error={failure?.fields.password}>
        <Input id="password" name="password" type="password" autoComplete="new-password" required invalid={Boolean(failure?.fields.password)} />
      </Field>
      <Button type="submit" className="w-full" loading={createOwner.isPending}>
        Create organization and sign in
      </Button>
    </form>
  );
}
