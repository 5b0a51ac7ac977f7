import type { ReactNode } from "react";
import { Logo } from "@/app/_components/logo";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-full flex-col items-center justify-center bg-gradient-to-b from-slate-100 to-slate-50 px-4 py-12">
      <div className="mb-8 flex items-center gap-2 text-slate-900">
        <Logo className="size-9" />
        <span className="text-2xl font-semibold tracking-tight">Safehold</span>
      </div>
      <div className="w-full max-w-md rounded-xl bg-white p-8 shadow-sm ring-1 ring-slate-200">{children}</div>
      <p className="mt-6 text-xs text-slate-500">Backups for every client environment, on every server.</p>
    </main>
  );
}
