"use client";

import { useEffect, useState } from "react";

/** The value once it has stopped changing for `delayMs`: what a live preview asks the server about while someone types. */
export function useDebouncedValue<T>(value: T, delayMs = 350): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
