import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense, cache } from "react";
import { requirePagePrincipal } from "@/server/auth/page-session";
import { getDb } from "@/server/db";
import { environmentTitle } from "@/server/services/page-titles";
import { EnvironmentView } from "./environment-view";

type Params = { params: Promise<{ projectId: string; environmentId: string }> };

// Once per request for the title and the page.
const titleOf = cache(async (projectId: string, environmentId: string) => environmentTitle(getDb(), await requirePagePrincipal(), projectId, environmentId));

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { projectId, environmentId } = await params;
  const names = await titleOf(projectId, environmentId);
  return { title: names ? `${names.project} · ${names.environment}` : "Environment not found" };
}

export default async function EnvironmentPage({ params }: Params) {
  const { projectId, environmentId } = await params;
  // An environment that does not exist here (or under another project's address) answers 404.
  if (!(await titleOf(projectId, environmentId))) notFound();
  return (
    <Suspense>
      <EnvironmentView projectId={projectId} environmentId={environmentId} />
    </Suspense>
  );
}
