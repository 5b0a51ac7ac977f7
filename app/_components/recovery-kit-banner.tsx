"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useConsoleSession } from "@/app/_lib/console-context";
import { useTRPC } from "@/app/_lib/trpc";

/** Tells owners, on every page, that the current organization key's recovery kit still has to be saved. */
export function RecoveryKitBanner() {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const pathname = usePathname();
  const owner = can("owner");
  const keys = useQuery({ ...trpc.organizationKeys.list.queryOptions(), enabled: owner });
  const current = keys.data?.items.find((k) => k.retiredAt === null);
  if (!owner || !current || current.kitConfirmedAt || pathname.startsWith("/settings/encryption")) return null;
  return (
    <div data-testid="recovery-kit-banner" className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset">
      <span>Backups are encrypted to the organization key: save its recovery kit, the only way to read them if this console is lost.</span>
      <Link href="/settings/encryption" className="font-medium underline underline-offset-2">
        Save the recovery kit
      </Link>
    </div>
  );
}
