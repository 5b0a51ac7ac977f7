import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { BACKUP_STATUSES, BACKUP_TYPES, STAGES } from "@/shared/enum-values";

export const fleetSearchInput = z.object({
  /** Words in a client's, an environment's or a backup's name; empty: the first clients and the newest backups. */
  q: z.string().trim().max(100).default(""),
  /** At most this many of each kind. */
  limit: z.coerce.number().int().min(1).max(20).default(8),
});

export const fleetSearchOutput = z.object({
  projects: z.array(z.object({ id: z.string(), name: z.string(), environments: z.number() })),
  environments: z.array(z.object({ id: z.string(), name: z.string(), stage: z.enum(STAGES), projectId: z.string(), projectName: z.string() })),
  /** Newest first. */
  backups: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.enum(BACKUP_TYPES),
      status: z.enum(BACKUP_STATUSES),
      createdAt: z.string(),
      environmentId: z.string(),
      environmentName: z.string(),
      projectId: z.string(),
      projectName: z.string(),
    }),
  ),
});
export type FleetSearch = z.infer<typeof fleetSearchOutput>;

/** An ILIKE pattern matching `q` anywhere, its wildcards taken literally. */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * What the command palette jumps to: the organization's active clients, environments and backups whose names (or,
 * for environments and backups, whose client's name) contain `q`, at most `limit` of each. Three index-ordered
 * queries with a limit: backups are read newest first from backups_org_created_idx until enough match.
 */
export async function searchFleet(db: DbOrTx, actor: Principal, input: z.infer<typeof fleetSearchInput>): Promise<FleetSearch> {
  const pattern = containing(input.q);
  const [projects, environments, backups] = await Promise.all([
    db.execute<{ id: string; name: string; environments: number }>(sql`
      select p.id, p.name, (select count(*) from environments e where e.project_id = p.id and e.archived_at is null)::int as environments
      from projects p
      where p.org_id = ${actor.orgId} and p.archived_at is null and p.name ilike ${pattern}
      order by p.name, p.id limit ${input.limit}`),
    db.execute<{ id: string; name: string; stage: (typeof STAGES)[number]; project_id: string; project_name: string }>(sql`
      select e.id, e.name, e.stage, p.id as project_id, p.name as project_name
      from environments e join projects p on p.id = e.project_id
      where e.org_id = ${actor.orgId} and e.archived_at is null and (e.name ilike ${pattern} or p.name ilike ${pattern} or (p.name || ' ' || e.name) ilike ${pattern})
      order by p.name, e.name, e.id limit ${input.limit}`),
    db.execute<{ id: string; name: string; type: (typeof BACKUP_TYPES)[number]; status: (typeof BACKUP_STATUSES)[number]; created_at: string; environment_id: string; environment_name: string; project_id: string; project_name: string }>(sql`
      select b.id, b.name, b.type, b.status, b.created_at, e.id as environment_id, e.name as environment_name, p.id as project_id, p.name as project_name
      from backups b join environments e on e.id = b.environment_id join projects p on p.id = b.project_id
      where b.org_id = ${actor.orgId} and (b.name ilike ${pattern} or e.name ilike ${pattern} or p.name ilike ${pattern} or (p.name || ' ' || e.name) ilike ${pattern})
      order by b.created_at desc, b.id desc limit ${input.limit}`),
  ]);
  return {
    projects: projects.map((p) => ({ id: p.id, name: p.name, environments: p.environments })),
    environments: environments.map((e) => ({ id: e.id, name: e.name, stage: e.stage, projectId: e.project_id, projectName: e.project_name })),
    backups: backups.map((b) => ({
      id: b.id,
      name: b.name,
      type: b.type,
      status: b.status,
      createdAt: new Date(b.created_at).toISOString(),
      environmentId: b.environment_id,
      environmentName: b.environment_name,
      projectId: b.project_id,
      projectName: b.project_name,
    })),
  };
}
