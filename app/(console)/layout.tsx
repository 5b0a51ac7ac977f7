import type { ReactNode } from "react";
import { CommandPalette } from "@/app/_components/command-palette";
import { NoWorkerBanner } from "@/app/_components/no-worker-banner";
import { RecoveryKitBanner } from "@/app/_components/recovery-kit-banner";
import { Sidebar } from "@/app/_components/sidebar";
import { Toaster } from "@/app/_components/ui/toaster";
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
      <div className="flex min-h-full flex-col md:flex-row">
        <Sidebar />
        {/* Tables get the width they need; the cap only keeps lines readable on very wide screens. */}
        <main className="min-w-0 flex-1 px-4 py-5 sm:px-6 md:px-8 md:py-8">
          <div className="mx-auto w-full max-w-[100rem]">
            <NoWorkerBanner />
            <RecoveryKitBanner />
            {children}
          </div>
        </main>
      </div>
      <Toaster />
    </ConsoleSessionProvider>
  );
}
