import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { requirePagePrincipal } from "@/server/auth/page-session";
import { getDb } from "@/server/db";
import { projectTitle } from "@/server/services/page-titles";
import { ProjectView } from "./project-view";

type Params = { params: Promise<{ projectId: string }> };

// Once per request for the title and the page.
const titleOf = cache(async (projectId: string) => projectTitle(getDb(), await requirePagePrincipal(), projectId));

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const names = await titleOf((await params).projectId);
  return { title: names?.project ?? "Project not found" };
}

export default async function ProjectPage({ params }: Params) {
  const { projectId } = await params;
  // A project that does not exist here answers 404, not an empty page with status 200.
  if (!(await titleOf(projectId))) notFound();
  return <ProjectView projectId={projectId} />;
}
