"use client";

import { ArrowLeft, RotateCw, TriangleAlert } from "lucide-react";
import { errorMessage } from "@/app/_lib/errors";
import { LINK_BUTTON, StatusPage } from "./status-page";

/**
 * What a page that failed to render shows: the reason (the server's own details stay in its log, named by the
 * digest), Try again, and a way back. A plain <a> for the way back: it must work even when the app's router broke.
 */
export function ErrorPage({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <StatusPage
      icon={<TriangleAlert className="size-6" aria-hidden />}
      title="This page could not be shown"
      actions={
        <>
          <button type="button" onClick={retry} className={LINK_BUTTON.primary}>
            <RotateCw className="size-4" aria-hidden /> Try again
          </button>
          <a href="/" className={LINK_BUTTON.secondary}>
            <ArrowLeft className="size-4" aria-hidden /> Back to the dashboard
          </a>
        </>
      }
    >
      <p role="alert">{error.digest ? "Something went wrong on the server while preparing this page." : errorMessage(error)}</p>
      {error.digest && <p className="mt-2 text-xs text-slate-500">The console&apos;s log has the details, under reference {error.digest}.</p>}
    </StatusPage>
  );
}
