import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { addErasureSubject, addErasureSubjectInput, erasureSubjectItem, listErasureSubjects, removeErasureSubject } from "@/server/services/erasure";

export const erasureRouter = router({
  list: procedure("viewer", { method: "GET", path: "/projects/{projectId}/erasure-subjects", tags: ["erasure"], summary: "Erased data subjects of a project, re-anonymised after every restore", protect: true })
    .input(z.object({ projectId: z.uuid() }))
    .output(z.array(erasureSubjectItem))
    .query(({ ctx, input }) => listErasureSubjects(ctx.db, ctx.principal, input.projectId)),

  add: procedure("operator", { method: "POST", path: "/projects/{projectId}/erasure-subjects", tags: ["erasure"], summary: "Record an erased data subject (an email address or a record reference such as partner,42)", protect: true })
    .input(addErasureSubjectInput)
    .output(erasureSubjectItem)
    .mutation(({ ctx, input }) => addErasureSubject(ctx.db, ctx.principal, input)),

  remove: procedure("admin", { method: "DELETE", path: "/erasure-subjects/{id}", tags: ["erasure"], summary: "Remove an erased data subject from the list", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => removeErasureSubject(ctx.db, ctx.principal, input.id)),
});
