import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { erasureSubjects, users } from "@/server/db/schema";
import { ConflictError, NotFoundError } from "@/server/errors";
import { recordActivity } from "./activity";
import { findProject } from "./projects";

export const erasureSubjectItem = z.object({ id: z.string(), projectId: z.string(), subject: z.string(), note: z.string(), createdBy: z.string().nullable(), createdAt: z.string() });
/**
 * A record reference in its generic shape, `type,id` (e.g. `partner,42`): the core checks only the shape, the
 * environment's source says which record types it knows when it applies the list.
 */
const RECORD_REFERENCE = /^[a-z][a-z0-9_.]{0,63},[1-9][0-9]{0,17}$/;
const subjectShape = z.union([z.email(), z.string().regex(RECORD_REFERENCE)]);

export const addErasureSubjectInput = z.object({
  projectId: z.uuid(),
  subject: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .refine((value) => subjectShape.safeParse(value).success, "Enter the erased person's email address, or a record reference such as partner,42"),
  note: z.string().trim().max(500).default(""),
});

export async function listErasureSubjects(db: DbOrTx, actor: Principal, projectId: string) {
  await findProject(db, actor, projectId);
  const rows = await db
    .select({ row: erasureSubjects, createdBy: users.email })
    .from(erasureSubjects)
    .leftJoin(users, eq(users.id, erasureSubjects.createdBy))
    .where(and(eq(erasureSubjects.projectId, projectId), eq(erasureSubjects.orgId, actor.orgId)))
    .orderBy(asc(erasureSubjects.subject));
  return rows.map(({ row, createdBy }) => ({ id: row.id, projectId: row.projectId, subject: row.subject, note: row.note, createdBy, createdAt: row.createdAt.toISOString() }));
}

export async function addErasureSubject(db: DbOrTx, actor: Principal, input: z.infer<typeof addErasureSubjectInput>) {
  const project = await findProject(db, actor, input.projectId);
  const [row] = await db
    .insert(erasureSubjects)
    .values({ orgId: actor.orgId, projectId: project.id, subject: input.subject, note: input.note, createdBy: actor.userId })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new ConflictError(`${input.subject} is already on this project's erasure list`);
  await recordActivity(db, actor, { action: "erasure.add", targetType: "project", targetId: project.id, targetLabel: project.name, message: `Erased data subject recorded${input.note ? `: ${input.note}` : ""}` });
  return { id: row.id, projectId: row.projectId, subject: row.subject, note: row.note, createdBy: actor.label, createdAt: row.createdAt.toISOString() };
}

export async function removeErasureSubject(db: DbOrTx, actor: Principal, id: string) {
  const [row] = await db
    .delete(erasureSubjects)
    .where(and(eq(erasureSubjects.id, id), eq(erasureSubjects.orgId, actor.orgId)))
    .returning();
  if (!row) throw new NotFoundError("Erasure record");
  await recordActivity(db, actor, { action: "erasure.remove", targetType: "project", targetId: row.projectId, message: "An erased data subject was removed from the erasure list" });
}

/** The erased subjects of these projects, re-applied to every restored copy. */
export async function erasedSubjectsOf(db: DbOrTx, projectIds: string[]): Promise<string[]> {
  if (projectIds.length === 0) return [];
  const rows = await db.selectDistinct({ subject: erasureSubjects.subject }).from(erasureSubjects).where(inArray(erasureSubjects.projectId, projectIds));
  return rows.map((r) => r.subject).sort();
}
