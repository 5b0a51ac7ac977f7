"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button, type ButtonProps } from "./button";

/**
 * Copies `text` to the clipboard and says so for two seconds. The clipboard needs a secure context (https or
 * localhost): elsewhere the button says to copy by hand.
 */
export function CopyButton({ text, label = "Copy", size = "sm", ...rest }: { text: string; label?: string } & Omit<ButtonProps, "onClick" | "children">) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2500);
  }
  return (
    <Button variant="secondary" size={size} onClick={copy} {...rest}>
      {state === "copied" ? <Check className="size-3.5 text-emerald-600" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
      {state === "copied" ? "Copied" : state === "failed" ? "Copy by hand" : label}
    </Button>
  );
}
