import type { InputHTMLAttributes } from "react";
import { Input } from "@/app/_components/ui/field";

/** The 6-digit authenticator code field: numeric keypad, one-time-code autofill, room for a space in the middle. */
export function TotpCodeInput({ className = "", ...rest }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  return (
    <Input
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]*"
      maxLength={7}
      placeholder="123456"
      className={`font-mono tracking-widest ${className}`}
      {...rest}
    />
  );
}
