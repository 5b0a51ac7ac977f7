import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import {
  bulkOverride,
  bulkOverrideInput,
  bulkOverrideOutput,
  checkScheduleInput,
  checkScheduleOutput,
  deleteOverride,
  effectivePolicyOutput,
  getEffectivePolicy,
  getOrgPolicy,
  getOverride,
  policyOutput,
  previewSchedule,
  putOrgPolicy,
  putOverride,
  putOverrideInput,
} from "@/server/services/backup-policies";
import { policyOverrideSchema, putPolicyInput } from "@/server/policies/policy-fields";

export const backupPoliciesRouter = router({
  getDefault: procedure("viewer", { method: "GET", path: "/backup-policy", tags: ["backup policies"], summary: "The organization's default backup policy", protect: true })
    .input(z.object({}))
    .output(policyOutput)
    .query(({ ctx }) => getOrgPolicy(ctx.db, ctx.principal)),

  putDefault: procedure("admin", { method: "PUT", path: "/backup-policy", tags: ["backup policies"], summary: "Replace the organization's default backup policy", protect: true })
    .input(putPolicyInput)
    .output(policyOutput)
    .mutation(({ ctx, input }) => putOrgPolicy(ctx.db, ctx.principal, input)),

  getOverride: procedure("viewer", { method: "GET", path: "/environments/{id}/backup-policy", tags: ["backup policies"], summary: "An environment's override (only the fields it sets)", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(policyOverrideSchema)
    .query(({ ctx, input }) => getOverride(ctx.db, ctx.principal, input.id)),

  putOverride: procedure("operator", { method: "PUT", path: "/environments/{id}/backup-policy", tags: ["backup policies"], summary: "Set an environment's override to exactly the fields given", protect: true })
    .input(putOverrideInput)
    .output(policyOverrideSchema)
    .mutation(({ ctx, input: { id, ...override } }) => putOverride(ctx.db, ctx.principal, id, override)),

  deleteOverride: procedure("operator", { method: "DELETE", path: "/environments/{id}/backup-policy", tags: ["backup policies"], summary: "Revert an environment to the organization's default", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteOverride(ctx.db, ctx.principal, input.id)),

  getEffective: procedure("viewer", { method: "GET", path: "/environments/{id}/effective-backup-policy", tags: ["backup policies"], summary: "An environment's effective policy and where each field comes from", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(effectivePolicyOutput)
    .query(({ ctx, input }) => getEffectivePolicy(ctx.db, ctx.principal, input.id)),

  bulkOverride: procedure("operator", { method: "POST", path: "/environments/backup-policy/bulk-override", tags: ["backup policies"], summary: "Set the given fields in the override of several environments, keeping what each already overrides", protect: true })
    .input(bulkOverrideInput)
    .output(bulkOverrideOutput)
    .mutation(({ ctx, input }) => bulkOverride(ctx.db, ctx.principal, input)),

  /** The live preview of the schedule editors: the next five runs, or why the schedule is invalid. */
  checkSchedule: procedure("viewer")
    .input(checkScheduleInput)
    .output(checkScheduleOutput)
    .query(({ input }) => previewSchedule(input)),
});
