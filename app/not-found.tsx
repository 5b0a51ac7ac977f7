import type { Metadata } from "next";
import { NotFoundPage } from "./_components/shell/not-found-page";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <main className="min-h-full bg-slate-50">
      <NotFoundPage />
    </main>
  );
}
