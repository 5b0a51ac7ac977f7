import { and, asc, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, projects } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { recordActivity } from "./activity";
import { decodeCursor, pageInput, pageSchema, toPage } from "./pagination";

export const projectItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** Its active environments (archived ones are not counted). */
  environmentCount: z.number(),
  /** Set once the client was offboarded. */
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const projectPage = pageSchema(projectItem);

export const listProjectsInput = z.object({
  ...pageInput,
  q: z.string().trim().max(100).optional(),
  /** `active` (the default), `archived` (offboarded clients) or `all`. */
  view: z.enum(["active", "archived", "all"]).default("active"),
});
export const createProjectInput = z.object({
  name: z.string().trim().min(1, "Name the project (usually the client)").max(100),
  description: z.string().trim().max(1000).default(""),
});
export const updateProjectInput = createProjectInput.partial().extend({ id: z.uuid() });

// Counted through a join: drizzle leaves columns unqualified in a single-table select, which a correlated subquery would misread.
const environmentCount = sql<number>`(count(${environments.id}) filter (where ${environments.archivedAt} is null))::int`;

function toItem(row: typeof projects.$inferSelect & { environmentCount: number }) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    environmentCount: row.environmentCount,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listProjects(db: DbOrTx, actor: Principal, input: Omit<z.infer<typeof listProjectsInput>, "view"> & { view?: "active" | "archived" | "all" }) {
  const filters = [eq(projects.orgId, actor.orgId)];
  if (input.q) filters.push(sql`${projects.name} ilike ${`%${input.q}%`}`);
  if ((input.view ?? "active") === "active") filters.push(isNull(projects.archivedAt));
  if (input.view === "archived") filters.push(isNotNull(projects.archivedAt));
  if (input.cursor) {
    const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
    filters.push(or(gt(projects.name, name), and(eq(projects.name, name), gt(projects.id, id)))!);
  }
  const rows = await db
    .select({ ...projectColumns(), environmentCount })
    .from(projects)
    .leftJoin(environments, eq(environments.projectId, projects.id))
    .where(and(...filters))
    .groupBy(projects.id)
    .orderBy(asc(projects.name), asc(projects.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, toItem, (r) => [r.name, r.id]);
}

function projectColumns() {
  return {
    id: projects.id,
    orgId: projects.orgId,
    name: projects.name,
    description: projects.description,
    archivedAt: projects.archivedAt,
    createdAt: projects.createdAt,
    updatedAt: projects.updatedAt,
  };
}

export async function findProject(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db
    .select({ ...projectColumns(), environmentCount })
    .from(projects)
    .leftJoin(environments, eq(environments.projectId, projects.id))
    .where(and(eq(projects.id, id), eq(projects.orgId, actor.orgId)))
    .groupBy(projects.id);
  if (!row) throw new NotFoundError("Project");
  return row;
}

export async function getProject(db: DbOrTx, actor: Principal, id: string) {
  return toItem(await findProject(db, actor, id));
}

async function assertNameFree(db: DbOrTx, actor: Principal, name: string, exceptId?: string) {
  const [clash] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.orgId, actor.orgId), eq(projects.name, name)));
  if (clash && clash.id !== exceptId) throw new ConflictError(`A project named "${name}" already exists`);
}

export async function createProject(db: DbOrTx, actor: Principal, input: z.infer<typeof createProjectInput>) {
  await assertNameFree(db, actor, input.name);
  const [row] = await db.insert(projects).values({ orgId: actor.orgId, name: input.name, description: input.description }).returning();
  await recordActivity(db, actor, { action: "project.create", targetType: "project", targetId: row!.id, targetLabel: row!.name });
  return toItem({ ...row!, environmentCount: 0 });
}

export async function updateProject(db: DbOrTx, actor: Principal, input: z.infer<typeof updateProjectInput>) {
  const current = await findProject(db, actor, input.id);
  if (input.name && input.name !== current.name) await assertNameFree(db, actor, input.name, current.id);
  const [row] = await db
    .update(projects)
    .set({ name: input.name ?? current.name, description: input.description ?? current.description })
    .where(and(eq(projects.id, input.id), eq(projects.orgId, actor.orgId)))
    .returning();
  await recordActivity(db, actor, { action: "project.update", targetType: "project", targetId: row!.id, targetLabel: row!.name });
  return toItem({ ...row!, environmentCount: current.environmentCount });
}

export async function deleteProject(db: DbOrTx, actor: Principal, id: string) {
  const current = await findProject(db, actor, id);
  const [all] = await db.select({ n: sql<number>`count(*)::int` }).from(environments).where(eq(environments.projectId, id));
  if ((all?.n ?? 0) > 0) {
    throw new ConflictError(`"${current.name}" still has ${all!.n} environment(s), archived ones included: delete or purge them first`);
  }
  await db.delete(projects).where(and(eq(projects.id, id), eq(projects.orgId, actor.orgId)));
  await recordActivity(db, actor, { action: "project.delete", targetType: "project", targetId: id, targetLabel: current.name });
}
