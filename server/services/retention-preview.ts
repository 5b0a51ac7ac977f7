import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { BACKUP_TYPES, RETENTION_CLASSES, backups } from "@/server/db/schema";
import { KEEP_REASONS, decideArchivedRetention, decideRetention } from "@/server/retention/gfs";
import { effectivePolicyFor } from "./backup-policies";
import { findEnvironment } from "./environments";

export const retentionPreviewOutput = z.object({
  retention: z.object({ daily: z.number(), weekly: z.number(), monthly: z.number(), yearly: z.number() }),
  timezone: z.string(),
  items: z.array(
    z.object({
      backupId: z.string(),
      name: z.string(),
      type: z.enum(BACKUP_TYPES),
      retentionClass: z.enum(RETENTION_CLASSES),
      takenAt: z.string(),
      expiresAt: z.string().nullable(),
      keep: z.boolean(),
      /** Why it is kept: the newest backup, permanent, a GFS bucket, its own class not yet ended, pinned, held, or its destroyed environment's keep date not reached. Empty: the next pass expires it. */
      reasons: z.array(z.enum(KEEP_REASONS)),
    }),
  ),
});

/** What the retention pass would keep of an environment's completed backups under its current policy, and why. */
export async function retentionPreview(db: DbOrTx, actor: Principal, environmentId: string, now = new Date()) {
  const { environment } = await findEnvironment(db, actor, environmentId);
  const policy = await effectivePolicyFor(db, actor.orgId, environmentId);
  const rows = await db
    .select()
    .from(backups)
    .where(and(eq(backups.environmentId, environmentId), eq(backups.orgId, actor.orgId), eq(backups.status, "completed")));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const candidates = rows.map((r) => ({ id: r.id, type: r.type, retentionClass: r.retentionClass, takenAt: r.scheduledFor ?? r.createdAt, expiresAt: r.expiresAt, pinned: r.pinned, held: r.held }));
  // A destroyed environment's backups follow the keep date chosen then, not the policy.
  const decisions = environment.archivedAt && environment.keepBackups ? decideArchivedRetention(candidates, environment.keepBackupsUntil, now) : decideRetention(candidates, policy, now);
  return {
    retention: policy.retention,
    timezone: policy.timezone,
    items: decisions.map((d) => {
      const r = byId.get(d.id)!;
      return {
        backupId: r.id,
        name: r.name,
        type: r.type,
        retentionClass: r.retentionClass,
        takenAt: (r.scheduledFor ?? r.createdAt).toISOString(),
        expiresAt: r.expiresAt?.toISOString() ?? null,
        keep: d.keep,
        reasons: d.reasons,
      };
    }),
  };
}
