"use client";

import { ErrorPage } from "@/app/_components/shell/error-page";

/** A console page that failed: the error inside the console layout, so the sidebar still leads elsewhere. */
export default function ConsoleError({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return <ErrorPage error={error} retry={retry} />;
}
