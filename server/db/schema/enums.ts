import { pgEnum } from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("role", ["owner", "admin", "operator", "viewer"]);
export const stageEnum = pgEnum("stage", ["production", "staging", "development", "test"]);
export const backupTypeEnum = pgEnum("backup_type", ["manual", "scheduled", "pre_restore", "pre_upgrade", "pre_destroy"]);
export const backupStatusEnum = pgEnum("backup_status", ["pending", "in_progress", "uploading", "completed", "failed", "expired"]);
export const retentionClassEnum = pgEnum("retention_class", ["daily", "weekly", "monthly", "yearly", "permanent"]);
export const artifactKindEnum = pgEnum("artifact_kind", ["database", "filestore", "manifest"]);
export const restoreTargetEnum = pgEnum("restore_target", ["original", "environment", "new_environment"]);
export const restoreStatusEnum = pgEnum("restore_status", ["pending", "in_progress", "completed", "failed"]);
export const outcomeEnum = pgEnum("outcome", ["success", "failure"]);

export const ROLES = roleEnum.enumValues;
export type Role = (typeof ROLES)[number];
export const STAGES = stageEnum.enumValues;
export type Stage = (typeof STAGES)[number];
export const BACKUP_TYPES = backupTypeEnum.enumValues;
export const BACKUP_STATUSES = backupStatusEnum.enumValues;
export const RETENTION_CLASSES = retentionClassEnum.enumValues;
export const ARTIFACT_KINDS = artifactKindEnum.enumValues;
