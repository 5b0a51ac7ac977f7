"use client";

import { useTheme } from "next-themes";
import { Toaster as Sonner } from "sonner";

/** Where toasts appear (sonner's `toast()` anywhere in the console), in the console's theme. */
export function Toaster() {
  const { resolvedTheme } = useTheme();
  return <Sonner theme={resolvedTheme === "dark" ? "dark" : "light"} position="bottom-right" richColors closeButton />;
}
