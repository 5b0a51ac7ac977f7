import Link from "next/link";
import { SearchX } from "lucide-react";
import { Card, EmptyState } from "./ui/layout";

/** A get that failed because the object does not exist here (or the address holds no valid id). */
export function isNotFound(error: unknown): boolean {
  const data = (error as { data?: { code?: string; fields?: Record<string, string> } } | null)?.data;
  return data?.code === "NOT_FOUND" || (data?.code === "BAD_REQUEST" && Boolean(data.fields?.id));
}

export function NotFoundState({ title, children, backHref, backLabel }: { title: string; children?: string; backHref: string; backLabel: string }) {
  return (
    <Card>
      <EmptyState
        icon={<SearchX className="size-6" />}
        title={title}
        action={
          <Link href={backHref} className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700">
            {backLabel}
          </Link>
        }
      >
        {children}
      </EmptyState>
    </Card>
  );
}
