"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { Activity, Archive, FolderKanban, LayoutDashboard, LogOut, Menu, PanelLeftClose, PanelLeftOpen, Puzzle, Server, Settings, X } from "lucide-react";
import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { CommandPaletteButton } from "@/app/_components/command-palette";
import { Logo } from "@/app/_components/logo";
import { ThemeToggle } from "@/app/_components/shell/theme-toggle";
import { useSidebarCollapsed } from "@/app/_components/shell/sidebar-collapsed";
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

/** The navigation, organization and user menu; `compact` shows icons only (their names as tooltips and labels). */
function SidebarContent({ compact, onNavigate }: { compact: boolean; onNavigate?: () => void }) {
  const pathname = usePathname();
  const session = useConsoleSession();
  const isActive = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  return (
    <>
      <div className={`mb-4 rounded-md bg-shell-raised/70 py-2 ${compact ? "mx-2 px-0 text-center" : "mx-3 px-3"}`} title={session.orgName}>
        {compact ? (
          <p className="text-sm font-semibold text-white" aria-label={`Organization: ${session.orgName}`}>
            {session.orgName.slice(0, 2).toUpperCase()}
          </p>
        ) : (
          <>
            <p className="truncate text-sm font-medium text-white">{session.orgName}</p>
            <p className="text-xs text-shell-muted">Organization</p>
          </>
        )}
      </div>
      {!compact && (
        <div className="mx-3 mb-3">
          <CommandPaletteButton />
        </div>
      )}
      <nav className={`flex-1 space-y-0.5 ${compact ? "px-2" : "px-3"}`} aria-label="Main">
        {NAV.map(({ href, label, icon: Icon }) => (
          <Link
            key={href}
            href={href}
            onClick={onNavigate}
            aria-current={isActive(href) ? "page" : undefined}
            title={compact ? label : undefined}
            className={`flex items-center gap-3 rounded-md py-2 text-sm font-medium transition-colors ${compact ? "justify-center px-0" : "px-3"} ${isActive(href) ? "bg-shell-raised text-white" : "hover:bg-shell-raised/60 hover:text-white"}`}
          >
            <Icon className="size-4 shrink-0" aria-hidden />
            <span className={compact ? "sr-only" : ""}>{label}</span>
          </Link>
        ))}
      </nav>
      <div className={`space-y-3 border-t border-shell-line py-4 ${compact ? "flex flex-col items-center px-2" : "px-4"}`}>
        <Link
          href="/settings/account"
          onClick={onNavigate}
          className="group block min-w-0 rounded"
          title={`${session.userLabel}: your account`}
          aria-label={compact ? `${session.userLabel}: your account` : undefined}
        >
          {compact ? (
            <span className="flex size-8 items-center justify-center rounded-full bg-shell-raised text-xs font-semibold text-white group-hover:ring-1 group-hover:ring-shell-muted">
              {session.userLabel.slice(0, 1).toUpperCase()}
            </span>
          ) : (
            <>
              <p className="truncate text-sm text-white group-hover:underline">{session.userLabel}</p>
              <p className="text-xs text-shell-muted">{ROLE_LABEL[session.role]} · Your account</p>
            </>
          )}
        </Link>
        <ThemeToggle compact={compact} />
        <button
          type="button"
          onClick={() => signOut({ callbackUrl: "/signin" })}
          className={`flex items-center gap-2 text-xs text-shell-muted hover:text-white ${compact ? "rounded-md p-2 hover:bg-shell-raised" : ""}`}
          title={compact ? "Sign out" : undefined}
        >
          <LogOut className="size-3.5" aria-hidden /> <span className={compact ? "sr-only" : ""}>Sign out</span>
        </button>
      </div>
    </>
  );
}

function Brand({ compact }: { compact?: boolean }) {
  return (
    <Link href="/" className={`flex items-center gap-2 text-white ${compact ? "justify-center" : ""}`} aria-label={compact ? "Safehold: dashboard" : undefined}>
      <Logo className="size-7 shrink-0" />
      {!compact && <span className="text-lg font-semibold tracking-tight">Safehold</span>}
    </Link>
  );
}

/** Below 768 px: a top bar whose menu button opens the sidebar as a drawer (focus kept inside until it closes). */
function MobileBar() {
  const [open, setOpen] = useState(false);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <header className="sticky top-0 z-40 flex items-center gap-3 bg-shell px-4 py-2.5 text-shell-text md:hidden">
        <RadixDialog.Trigger className="-ml-1 rounded-md p-1.5 hover:bg-shell-raised hover:text-white" aria-label="Open menu">
          <Menu className="size-5" aria-hidden />
        </RadixDialog.Trigger>
        <Brand />
      </header>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-50 bg-black/50 md:hidden" />
        <RadixDialog.Content aria-describedby={undefined} className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col overflow-y-auto bg-shell text-shell-text shadow-xl focus:outline-none md:hidden">
          <div className="flex items-center justify-between px-5 py-4">
            <RadixDialog.Title className="sr-only">Menu</RadixDialog.Title>
            <Brand />
            <RadixDialog.Close className="rounded-md p-1.5 hover:bg-shell-raised hover:text-white" aria-label="Close menu">
              <X className="size-5" aria-hidden />
            </RadixDialog.Close>
          </div>
          <SidebarContent compact={false} onNavigate={() => setOpen(false)} />
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** From 768 px: the sidebar beside the content, full names or (collapsed, remembered) icons only. */
function DesktopSidebar() {
  const [collapsed, setCollapsed] = useSidebarCollapsed();
  const Toggle = collapsed ? PanelLeftOpen : PanelLeftClose;
  return (
    // The column runs the page's whole height; the sidebar in it stays in view while the page scrolls.
    <div className={`hidden shrink-0 bg-shell md:block ${collapsed ? "w-16" : "w-60"}`}>
      <aside className="sticky top-0 flex h-screen flex-col overflow-y-auto bg-shell text-shell-text">
        <div className={`flex items-center py-5 ${collapsed ? "flex-col gap-3 px-2" : "justify-between px-5"}`}>
          <Brand compact={collapsed} />
          <button
            type="button"
            onClick={() => setCollapsed(!collapsed)}
            className="rounded-md p-1.5 text-shell-muted hover:bg-shell-raised hover:text-white"
            aria-label={collapsed ? "Expand sidebar" : "Collapse sidebar"}
            title={collapsed ? "Expand sidebar" : "Collapse sidebar"}
          >
            <Toggle className="size-4" aria-hidden />
          </button>
        </div>
        <SidebarContent compact={collapsed} />
      </aside>
    </div>
  );
}

export function Sidebar() {
  return (
    <>
      <MobileBar />
      <DesktopSidebar />
    </>
  );
}
