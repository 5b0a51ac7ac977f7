import { useCallback, useSyncExternalStore } from "react";

const KEY = "safehold.sidebar-collapsed";
const listeners = new Set<() => void>();
// This tab's choice; also what holds it when the browser refuses storage (private mode).
let chosen: boolean | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function read(): boolean {
  if (chosen !== null) return chosen;
  try {
    return window.localStorage.getItem(KEY) === "1";
  } catch {
    return false;
  }
}

/** Whether the desktop sidebar shows icons only; remembered in this browser (expanded until chosen otherwise). */
export function useSidebarCollapsed(): [boolean, (collapsed: boolean) => void] {
  const collapsed = useSyncExternalStore(subscribe, read, () => false);
  const set = useCallback((next: boolean) => {
    chosen = next;
    try {
      window.localStorage.setItem(KEY, next ? "1" : "0");
    } catch {
      // Kept for this tab only.
    }
    listeners.forEach((l) => l());
  }, []);
  return [collapsed, set];
}
