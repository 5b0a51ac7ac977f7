import { ArrowLeft, SearchX } from "lucide-react";
import Link from "next/link";
import { LINK_BUTTON, StatusPage } from "./status-page";

/** The 404 page, inside the console (with its sidebar) or on its own for addresses outside it. */
export function NotFoundPage() {
  return (
    <StatusPage
      icon={<SearchX className="size-6" aria-hidden />}
      code="404"
      title="Page not found"
      actions={
        <>
          <Link href="/" className={LINK_BUTTON.primary}>
            <ArrowLeft className="size-4" aria-hidden /> Back to the dashboard
          </Link>
          <Link href="/projects" className={LINK_BUTTON.secondary}>
            All projects
          </Link>
        </>
      }
    >
      Nothing is at this address in your organization. It may have been deleted, or the link is wrong or incomplete.
    </StatusPage>
  );
}
