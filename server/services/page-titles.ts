import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, projects } from "@/server/db/schema";

// An address with a malformed id names nothing; it must not reach the uuid columns (a database error, not a 404).
const isId = (value: string) => z.uuid().safeParse(value).success;

/**
 * The names a console page shows in its tab title, or null when the object does not exist in the member's
 * organization (the page then answers 404). Only names: the pages load everything else through the API.
 */
export async function projectTitle(db: DbOrTx, actor: Principal, projectId: string): Promise<{ project: string } | null> {
  if (!isId(projectId)) return null;
  const [row] = await db
    .select({ project: projects.name })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, actor.orgId)));
  return row ?? null;
}

/** The environment's and its project's names; null also when the environment belongs to another project than the address says. */
export async function environmentTitle(db: DbOrTx, actor: Principal, projectId: string, environmentId: string): Promise<{ project: string; environment: string } | null> {
  if (!isId(projectId) || !isId(environmentId)) return null;
  const [row] = await db
    .select({ project: projects.name, environment: environments.name })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(eq(environments.id, environmentId), eq(environments.projectId, projectId), eq(environments.orgId, actor.orgId)));
  return row ?? null;
}
