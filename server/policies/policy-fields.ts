import { z } from "zod";

/** The built-in org default, used until the organization saves its own (retention: daily 7, weekly 4, monthly 12, yearly 2). */
export const BUILT_IN_POLICY: Policy = {
  enabled: true,
  schedule: "0 2 * * *",
  timezone: "UTC",
  storageLocationId: null,
  includeFilestore: true,
  retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 },
  notifyOnSuccess: false,
  notifyOnFailure: true,
  notificationChannelIds: [],
  copies: [],
  encrypt: true,
  drill: { enabled: false, schedule: "0 4 * * 0", serverId: null },
};

export const POLICY_FIELDS = ["enabled", "schedule", "timezone", "storageLocationId", "includeFilestore", "retention", "notifyOnSuccess", "notifyOnFailure", "notificationChannelIds", "copies", "encrypt", "drill"] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

const keep = z.number().int().min(0).max(1000);

export const policySchema = z.object({
  enabled: z.boolean(),
  schedule: z.string().trim().min(1).max(100),
  timezone: z.string().trim().min(1).max(100),
  /** Null: the organization's default storage location. */
  storageLocationId: z.uuid().nullable(),
  includeFilestore: z.boolean(),
  retention: z.object({ daily: keep, weekly: keep, monthly: keep, yearly: keep }),
  notifyOnSuccess: z.boolean(),
  notifyOnFailure: z.boolean(),
  /** The notification channels told of this environment's backups and restores. */
  notificationChannelIds: z.array(z.uuid()).max(20),
  /** Storage locations (other than the primary) that receive a second copy of each verified backup. */
  copies: z.array(z.uuid()).max(5, "Choose at most 5 locations for second copies"),
  /** Whether each backup file is stored encrypted (age) to the organization key. */
  encrypt: z.boolean(),
  /**
   * Restore drills: on `schedule` (cron, in the policy's time zone) the latest verified backup is restored into a
   * scratch copy on `serverId` (null: the environment's own server), checked and dropped.
   */
  drill: z.object({
    // Defaults, so a client that sets only `enabled` gets the built-in weekly schedule on the environment's own server.
    enabled: z.boolean().default(false),
    schedule: z.string().trim().min(1).max(100).default("0 4 * * 0"),
    serverId: z.uuid().nullable().default(null),
  }),
});
export type Policy = z.infer<typeof policySchema>;

/**
 * `PUT /api/v1/backup-policy`'s body. v1 never breaks a client: a field added after PRODUCT.md's v1 table is
 * optional here, and omitting it keeps the stored value (a client written against the table keeps the channels
 * the console attached). Add every later policy field to this list.
 */
export const FIELDS_ADDED_AFTER_V1 = { notificationChannelIds: true, copies: true, encrypt: true, drill: true } as const;
export const putPolicyInput = policySchema.partial(FIELDS_ADDED_AFTER_V1);
export type PutPolicyInput = z.infer<typeof putPolicyInput>;

/** An environment's override: only the fields it sets (retention is overridden as a whole). */
export const policyOverrideSchema = policySchema.partial();
export type PolicyOverride = z.infer<typeof policyOverrideSchema>;
