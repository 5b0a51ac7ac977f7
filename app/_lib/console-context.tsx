"use client";

import { createContext, useContext, type ReactNode } from "react";
import type { Role } from "@/shared/enum-values";

export type ConsoleSession = { userId: string | null; userLabel: string; role: Role; orgId: string; orgName: string };

const ConsoleContext = createContext<ConsoleSession | null>(null);

export function ConsoleSessionProvider({ value, children }: { value: ConsoleSession; children: ReactNode }) {
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };

/** The signed-in member. `can(role)` only shapes the UI; every procedure checks the role again on the server. */
export function useConsoleSession() {
  const session = useContext(ConsoleContext);
  if (!session) throw new Error("useConsoleSession outside the console layout");
  return { ...session, can: (role: Role) => RANK[session.role] >= RANK[role] };
}
