"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { useHydrated } from "./use-hydrated";

const THEMES = [
  { value: "system", label: "System", icon: Monitor },
  { value: "light", label: "Light", icon: Sun },
  { value: "dark", label: "Dark", icon: Moon },
] as const;

/**
 * Light, dark or the system's choice (the default). `compact` (the collapsed sidebar) shows one button that steps
 * through the three.
 */
export function ThemeToggle({ compact }: { compact?: boolean }) {
  const { theme, setTheme } = useTheme();
  const hydrated = useHydrated();
  // The stored choice is known only in the browser: until then, show the default.
  const current = THEMES.find((t) => t.value === (hydrated ? theme : "system")) ?? THEMES[0];
  if (compact) {
    const next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length]!;
    const Icon = current.icon;
    return (
      <button
        type="button"
        onClick={() => setTheme(next.value)}
        className="rounded-md p-2 text-shell-muted hover:bg-shell-raised hover:text-white"
        aria-label={`Theme: ${current.label}. Switch to ${next.label}`}
        title={`Theme: ${current.label}`}
      >
        <Icon className="size-4" aria-hidden />
      </button>
    );
  }
  return (
    <div role="radiogroup" aria-label="Theme" className="flex rounded-md bg-shell-raised p-0.5">
      {THEMES.map(({ value, label, icon: Icon }) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={current.value === value}
          onClick={() => setTheme(value)}
          title={label}
          className={`flex flex-1 items-center justify-center gap-1 rounded px-1.5 py-1 text-xs ${current.value === value ? "bg-shell text-white" : "text-shell-muted hover:text-white"}`}
        >
          <Icon className="size-3.5" aria-hidden />
          {label}
        </button>
      ))}
    </div>
  );
}
