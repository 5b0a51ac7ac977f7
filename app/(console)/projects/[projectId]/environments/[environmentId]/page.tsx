import type { Metadata } from "next";
import { Suspense } from "react";
import { EnvironmentView } from "./environment-view";

export const metadata: Metadata = { title: "Environment" };

export default async function EnvironmentPage({ params }: { params: Promise<{ projectId: string; environmentId: string }> }) {
  const { projectId, environmentId } = await params;
  return (
    <Suspense>
      <EnvironmentView projectId={projectId} environmentId={environmentId} />
    </Suspense>
  );
}
