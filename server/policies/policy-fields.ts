import { z } from "zod";

/** The built-in org default, used until the organization saves its own (retention: daily 7, weekly 4, monthly 12, yearly 2). */
export const BUILT_IN_POLICY: Policy = {
  enabled: true,
  schedule: "0 2 * * *",
  timezone: "UTC",
  storageLocationId: null,
  includeFilestore: true,
  filestoreLayout: "objects",
  retention: { daily: 7, weekly: 4, monthly: 12, yearly: 2 },
  notifyOnSuccess: false,
  notifyOnFailure: true,
  notificationChannelIds: [],
  copies: [],
  encrypt: true,
  drill: { enabled: false, schedule: "0 4 * * 0", serverId: null },
  spreadMinutes: 0,
  retries: { attempts: 3, withinMinutes: 120 },
};

export const POLICY_FIELDS = ["enabled", "schedule", "timezone", "storageLocationId", "includeFilestore", "filestoreLayout", "retention", "notifyOnSuccess", "notifyOnFailure", "notificationChannelIds", "copies", "encrypt", "drill", "spreadMinutes", "retries"] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

const keep = z.number().int().min(0).max(1000);

/** How many notification channels one policy may name. */
export const MAX_POLICY_CHANNELS = 20;

export const policySchema = z.object({
  enabled: z.boolean(),
  schedule: z.string().trim().min(1).max(100),
  timezone: z.string().trim().min(1).max(100),
  /** Null: the organization's default storage location. */
  storageLocationId: z.uuid().nullable(),
  includeFilestore: z.boolean(),
  /**
   * How the filestore is kept: `objects` stores each file once in the location, shared by every backup (a nightly
   * backup costs only what changed); `archive` stores a full tar every time (for an environment that must have one).
   */
  filestoreLayout: z.enum(["objects", "archive"], { error: "Choose objects (each file stored once) or archive (a full tar each time)" }),
  retention: z.object({ daily: keep, weekly: keep, monthly: keep, yearly: keep }),
  notifyOnSuccess: z.boolean(),
  notifyOnFailure: z.boolean(),
  /** The notification channels told of this environment's backups and restores. */
  notificationChannelIds: z.array(z.uuid()).max(MAX_POLICY_CHANNELS),
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
  /**
   * The schedule's window: each environment starts at its own stable moment within this many minutes after the
   * schedule's time (derived from its id), so a policy shared by hundreds of environments does not start them all at once.
   * 0: at the scheduled minute. No zod default here or on `retries`: zod 4 fills a default in even where the field is
   * optional, so every override and every v1 PUT leaving the field out would set it (BUILT_IN_POLICY holds the defaults).
   */
  spreadMinutes: z.number().int().min(0, "The window cannot be negative").max(1440, "The window can be at most 24 hours (1440 minutes)"),
  /**
   * A scheduled backup that fails for a transient reason (connection refused or reset, timeout, storage unavailable, a
   * lost worker) is tried again as the same backup, up to `attempts` attempts in all, the last within `withinMinutes`.
   */
  retries: z.object({
    // Defaults inside, as for drills: a client that sets one of the two gets the built-in other.
    attempts: z.number().int().min(1, "At least 1 attempt").max(10, "At most 10 attempts").default(3),
    withinMinutes: z.number().int().min(1, "Retries need at least 1 minute").max(1440, "Retries must end within 24 hours (1440 minutes)").default(120),
  }),
});
export type Policy = z.infer<typeof policySchema>;

/**
 * `PUT /api/v1/backup-policy`'s body. v1 never breaks a client: a field added after PRODUCT.md's v1 table is
 * optional here, and omitting it keeps the stored value (a client written against the table keeps the channels
 * the console attached). Add every later policy field to this list.
 */
export const FIELDS_ADDED_AFTER_V1 = { notificationChannelIds: true, copies: true, encrypt: true, drill: true, spreadMinutes: true, retries: true, filestoreLayout: true } as const;
export const putPolicyInput = policySchema.partial(FIELDS_ADDED_AFTER_V1);
export type PutPolicyInput = z.infer<typeof putPolicyInput>;

/** An environment's override: only the fields it sets (retention is overridden as a whole; no field has a default). */
export const policyOverrideSchema = policySchema.partial();
export type PolicyOverride = z.infer<typeof policyOverrideSchema>;
