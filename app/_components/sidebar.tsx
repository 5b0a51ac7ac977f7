"use client";

import { Activity, Archive, FolderKanban, LayoutDashboard, LogOut, Puzzle, Server, Settings } from "lucide-react";
import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { CommandPaletteButton } from "@/app/_components/command-palette";
import { Logo } from "@/app/_components/logo";
import { ROLE_LABEL } from "@/app/_lib/format";
import { useConsoleSession } from "@/app/_lib/console-context";

const NAV = [
  { href: "/", label: "Dashboard", icon: LayoutDashboard },
  { href: "/projects", label: "Projects", icon: FolderKanban },
  { href: "/backups", label: "Backups", icon: Archive },
  { href: "/servers", label: "Servers", icon: Server },
  { href: "/settings", label: "Settings", icon: Settings },
  { href: "/plugins", label: "Plugins", icon: Puzzle },
  { href: "/activity", label: "Activity", icon: Activity },
];

export function Sidebar() {
  const pathname = usePathname();
  const session = useConsoleSession();
  const isActive = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  return (
    <aside className="flex w-60 shrink-0 flex-col bg-slate-900 text-slate-300">
      <div className="flex items-center gap-2 px-5 py-5 text-white">
        <Logo className="size-7" />
        <span className="text-lg font-semibold tracking-tight">Safehold</span>
      </div>
      <div className="mx-3 mb-3">
        <CommandPaletteButton />
      </div>
      <div className="mx-3 mb-4 rounded-md bg-slate-800/70 px-3 py-2">
        <p className="truncate text-sm font-medium text-white" title={session.orgName}>
          {session.orgName}
        </p>
        <p className="text-xs text-slate-400">Organization</p>
      </div>
      <nav className="flex-1 space-y-0.5 px-3" aria-label="Main">
        {NAV.map(({ href, label, icon: Icon }) => (
          <Link
            key={href}
            href={href}
            aria-current={isActive(href) ? "page" : undefined}
            className={`flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors ${isActive(href) ? "bg-slate-800 text-white" : "hover:bg-slate-800/60 hover:text-white"}`}
          >
            <Icon className="size-4" aria-hidden />
            {label}
          </Link>
        ))}
      </nav>
      <div className="border-t border-slate-800 px-4 py-4">
        <Link href="/settings/account" className="group block rounded" title={`${session.userLabel}: your account`}>
          <p className="truncate text-sm text-white group-hover:underline">{session.userLabel}</p>
          <p className="text-xs text-slate-400">{ROLE_LABEL[session.role]} · Your account</p>
        </Link>
        <button type="button" onClick={() => signOut({ callbackUrl: "/signin" })} className="mt-3 flex items-center gap-2 text-xs text-slate-400 hover:text-white">
          <LogOut className="size-3.5" aria-hidden /> Sign out
        </button>
      </div>
    </aside>
  );
}
