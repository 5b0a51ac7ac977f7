import type { ReactNode } from "react";
import { CommandPalette } from "@/app/_components/command-palette";
import { NoWorkerBanner } from "@/app/_components/no-worker-banner";
import { RecoveryKitBanner } from "@/app/_components/recovery-kit-banner";
import { Sidebar } from "@/app/_components/sidebar";
import { ConsoleSessionProvider } from "@/app/_lib/console-context";
import { requirePagePrincipal } from "@/server/auth/page-session";
import { getDb } from "@/server/db";
import { getOrganization } from "@/server/services/organizations";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const principal = await requirePagePrincipal();
  const org = await getOrganization(getDb(), principal);
  return (
    <ConsoleSessionProvider value={{ userId: principal.userId, userLabel: principal.label, role: principal.role, orgId: principal.orgId, orgName: org.name }}>
      <CommandPalette />
      <div className="flex min-h-full">
        <Sidebar />
        <main className="min-w-0 flex-1 px-8 py-8">
          <div className="mx-auto max-w-6xl">
            <NoWorkerBanner />
            <RecoveryKitBanner />
            {children}
          </div>
        </main>
      </div>
    </ConsoleSessionProvider>
  );
}
