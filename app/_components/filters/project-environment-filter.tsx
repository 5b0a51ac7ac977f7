"use client";

import { useQuery } from "@tanstack/react-query";
import { Select } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";

type Selection = { projectId?: string; environmentId?: string };

/** The projects and, once a project (or an environment) is chosen, its environments, for the filter selects. */
export function useProjectEnvironmentChoices({ projectId, environmentId }: Selection) {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions({ limit: 200 }));
  const environmentsEnabled = Boolean(projectId || environmentId);
  const environments = useQuery(trpc.environments.list.queryOptions({ projectId, limit: 200 }, { enabled: environmentsEnabled }));
  return { projects, environments, environmentsEnabled };
}

/**
 * Project, then environment narrowed by it; choosing a project clears the environment. Without a project the
 * environment select stays disabled (a fleet's environments would not fit one list).
 */
export function ProjectEnvironmentFilter({
  choices,
  projectId,
  environmentId,
  onChange,
  className,
}: Selection & {
  choices: ReturnType<typeof useProjectEnvironmentChoices>;
  onChange: (patch: { project?: string; environment?: string }) => void;
  className: string;
}) {
  const { projects, environments, environmentsEnabled } = choices;
  return (
    <>
      <Select aria-label="Project" className={className} value={projectId ?? ""} onChange={(e) => onChange({ project: e.target.value || undefined, environment: undefined })}>
        <option value="">All projects</option>
        {(projects.data?.items ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      <Select
        aria-label="Environment"
        className={className}
        value={environmentId ?? ""}
        disabled={!environmentsEnabled}
        title={environmentsEnabled ? undefined : "Choose a project first"}
        onChange={(e) => onChange({ environment: e.target.value || undefined })}
      >
        <option value="">{environmentsEnabled ? "All environments" : "All environments (choose a project)"}</option>
        {(environments.data?.items ?? []).map((e) => (
          <option key={e.id} value={e.id}>
            {projectId ? e.name : `${e.projectName} / ${e.name}`}
          </option>
        ))}
      </Select>
    </>
  );
}
