"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { href: "/settings/backups", label: "Backups" },
  { href: "/settings/storage", label: "Storage" },
  { href: "/settings/encryption", label: "Encryption" },
  { href: "/settings/notifications", label: "Notifications" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/general", label: "General" },
  { href: "/settings/account", label: "Account" },
];

export function SettingsTabs() {
  const pathname = usePathname();
  return (
    <nav className="mb-6 flex flex-wrap gap-x-1 border-b border-slate-200" aria-label="Settings">
      {TABS.map((tab) => {
        const active = pathname.startsWith(tab.href);
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-700"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
