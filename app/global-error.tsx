"use client";

import { ErrorPage } from "./_components/shell/error-page";
import "./globals.css";

/** When even the root layout failed: the error page in a document of its own. */
export default function GlobalError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Error · Safehold</title>
        <main className="min-h-full bg-slate-50">
          <ErrorPage error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
