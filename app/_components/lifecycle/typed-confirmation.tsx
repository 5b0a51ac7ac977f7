"use client";

import { Field, Input } from "@/app/_components/ui/field";

/** What is removed is named, not just clicked: the button stays disabled until the name is typed exactly. */
export function TypedConfirmation({ id, name, value, onChange, error }: { id: string; name: string; value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <Field label={`Type “${name}” to confirm`} htmlFor={id} error={error}>
      <Input id={id} value={value} onChange={(e) => onChange(e.target.value)} autoComplete="off" spellCheck={false} invalid={Boolean(error)} />
    </Field>
  );
}
