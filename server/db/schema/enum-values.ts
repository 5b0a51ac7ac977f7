/**
 * The values of the database's enums, for code on both sides: the browser imports this module, never the
 * drizzle schema (enums.ts builds the PostgreSQL enums from these lists).
 */
export const ROLES = ["owner", "admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const STAGES = ["production", "staging", "development", "test"] as const;
export type Stage = (typeof STAGES)[number];
export const BACKUP_TYPES = ["manual", "scheduled", "pre_restore", "pre_upgrade", "pre_destroy"] as const;
export const BACKUP_STATUSES = ["pending", "in_progress", "uploading", "completed", "failed", "expired"] as const;
export const RETENTION_CLASSES = ["daily", "weekly", "monthly", "yearly", "permanent"] as const;
export const ARTIFACT_KINDS = ["database", "filestore", "manifest"] as const;
export const RESTORE_TARGETS = ["original", "environment", "new_environment"] as const;
export const RESTORE_STATUSES = ["pending", "in_progress", "completed", "failed"] as const;
export const OUTCOMES = ["success", "failure"] as const;
