import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, projects, servers } from "@/server/db/schema";
import { SEALED_COLUMNS, sealSecret } from "@/server/db/sealed-columns";
import { recordActivity } from "@/server/services/activity";
import type { ImportedManifest } from "./manifest-entry";

export type CatalogHome = { projectId: string; environmentId: string; environmentName: string; projectName: string } | { problem: string };

/** A name of `taken`'s kind that is not in it: `name`, else `name (imported)`, `name (imported 2)`, ... */
function freeName(name: string, taken: string[]): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name} (imported${n === 2 ? "" : ` ${n - 1}`})`;
    if (!taken.includes(candidate)) return candidate;
  }
}

async function idFree(db: DbOrTx, table: typeof projects | typeof environments, id: string): Promise<boolean> {
  const [row] = await db.select({ id: table.id }).from(table).where(eq(table.id, id));
  return !row;
}

/**
 * Where an imported backup's row goes: its own environment when this organization still has it; otherwise an
 * archived environment standing in for it (under its project when the organization still has that, else under a
 * project named from the manifest). Placeholders take the manifest's ids when they are free, so that the next
 * import finds them again.
 */
export async function catalogHome(db: DbOrTx, actor: Principal, manifest: ImportedManifest): Promise<CatalogHome> {
  const [own] = await db
    .select({ id: environments.id, name: environments.name, projectId: environments.projectId, projectName: projects.name })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(eq(environments.id, manifest.environment.id), eq(environments.orgId, actor.orgId)));
  if (own) return { projectId: own.projectId, environmentId: own.id, environmentName: own.name, projectName: own.projectName };

  // The placeholder never runs (archived environments are not scheduled, backed up or restored into), but an
  // environment has a server: the organization's first one.
  const [server] = await db.select({ id: servers.id }).from(servers).where(eq(servers.orgId, actor.orgId)).orderBy(asc(servers.createdAt)).limit(1);
  if (!server) return { problem: "its environment is unknown here, and an archived stand-in needs a server: add one, then import again" };

  let [project] = await db.select({ id: projects.id, name: projects.name }).from(projects).where(and(eq(projects.id, manifest.project.id), eq(projects.orgId, actor.orgId)));
  if (!project) {
    const taken = await db.select({ name: projects.name }).from(projects).where(eq(projects.orgId, actor.orgId));
    const id = (await idFree(db, projects, manifest.project.id)) ? manifest.project.id : undefined;
    [project] = await db
      .insert(projects)
      .values({ id, orgId: actor.orgId, name: freeName(manifest.project.name, taken.map((t) => t.name)), description: "Made by a catalog import for backups of a project this console no longer knew" })
      .returning({ id: projects.id, name: projects.name });
  }
  const siblings = await db.select({ name: environments.name }).from(environments).where(inArray(environments.projectId, [project!.id]));
  const id = (await idFree(db, environments, manifest.environment.id)) ? manifest.environment.id : randomUUID();
  const name = freeName(manifest.environment.name, siblings.map((s) => s.name));
  await db.insert(environments).values({
    id,
    orgId: actor.orgId,
    projectId: project!.id,
    serverId: server.id,
    name,
    stage: manifest.environment.stage,
    source: manifest.source.type,
    sourceConfig: {},
    sourceSecrets: sealSecret(SEALED_COLUMNS.environmentSourceSecrets, id, {}),
    archivedAt: new Date(),
  });
  await recordActivity(db, actor, {
    action: "environment.archive_placeholder",
    targetType: "environment",
    targetId: id,
    targetLabel: `${project!.name} / ${name}`,
    message: "Archived environment made by a catalog import to hold backups of an environment this console no longer knew",
  });
  return { projectId: project!.id, environmentId: id, environmentName: name, projectName: project!.name };
}
