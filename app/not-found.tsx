import type { Metadata } from "next";
import { Logo } from "./_components/logo";
import { NotFoundPage } from "./_components/shell/not-found-page";

export const metadata: Metadata = { title: "Page not found" };

/** An address outside every route: the 404 on its own, under the console's name. */
export default function NotFound() {
  return (
    <main className="min-h-full bg-slate-50 pt-10">
      <div className="flex items-center justify-center gap-2 text-slate-900">
        <Logo className="size-8" />
        <span className="text-xl font-semibold tracking-tight">Safehold</span>
      </div>
      <NotFoundPage />
    </main>
  );
}
