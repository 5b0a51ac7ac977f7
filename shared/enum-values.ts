/**
 * The values of the database's enums, for code on both sides: the browser imports this module, never the
 * drizzle schema (enums.ts builds the PostgreSQL enums from these lists).
 */
export const ROLES = ["owner", "admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const STAGES = ["production", "staging", "development", "test"] as const;
export type Stage = (typeof STAGES)[number];
/** `imported`: made from a file an operator imported (an Odoo zip, a pg_dump), not taken from the environment's server. */
export const BACKUP_TYPES = ["manual", "scheduled", "pre_restore", "pre_upgrade", "pre_destroy", "imported"] as const;
export const BACKUP_STATUSES = ["pending", "in_progress", "uploading", "completed", "failed", "expired"] as const;
export const RETENTION_CLASSES = ["daily", "weekly", "monthly", "yearly", "permanent"] as const;
export const ARTIFACT_KINDS = ["database", "filestore", "manifest"] as const;
export const RESTORE_TARGETS = ["original", "environment", "new_environment"] as const;
export const RESTORE_STATUSES = ["pending", "in_progress", "completed", "failed"] as const;
export const OUTCOMES = ["success", "failure"] as const;
/** A second copy of a backup in another storage location: waiting (or waiting to retry), copying, copied and verified, or given up. */
export const COPY_STATUSES = ["pending", "copying", "completed", "failed"] as const;
export type CopyStatus = (typeof COPY_STATUSES)[number];
/**
 * Why a backup or restore failed, for the dashboard and alerts (the message says what exactly): its source or
 * target (`source`), its storage (`storage`), a stored file that did not match (`verification`), something
 * missing before it could start (`precondition`), its worker gone (`worker_lost`) or shut down (`shutdown`),
 * or it was stopped from outside (`stopped`: deleted or failed while running).
 */
export const FAILURE_KINDS = ["source", "storage", "verification", "precondition", "worker_lost", "shutdown", "stopped"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
/**
 * Where a backup's row comes from: a run of this console (`taken`), a catalog import of a manifest this console
 * signed for its organization (`imported`), or one it did not (`foreign`: restorable only once an admin trusts it).
 */
export const BACKUP_ORIGINS = ["taken", "imported", "foreign"] as const;
export type BackupOrigin = (typeof BACKUP_ORIGINS)[number];
/** "Keep final backups for 90 days / 1 year / permanently", chosen when an environment is destroyed. */
export const KEEP_FINAL_BACKUPS = ["90_days", "1_year", "permanent"] as const;
export type KeepFinalBackups = (typeof KEEP_FINAL_BACKUPS)[number];
/** A destroy of an environment: waiting in its queue, taking the final backup, removing its data, done, or stopped (nothing removed unless `removed` says so). */
export const DESTRUCTION_STATUSES = ["pending", "backing_up", "destroying", "completed", "failed"] as const;
export type DestructionStatus = (typeof DESTRUCTION_STATUSES)[number];
