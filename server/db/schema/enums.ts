import { pgEnum } from "drizzle-orm/pg-core";
import { ARTIFACT_KINDS, BACKUP_STATUSES, COPY_STATUSES, BACKUP_TYPES, FAILURE_KINDS, OUTCOMES, RESTORE_STATUSES, RESTORE_TARGETS, RETENTION_CLASSES, ROLES, STAGES } from "@/shared/enum-values";

export * from "@/shared/enum-values";

export const roleEnum = pgEnum("role", ROLES);
export const stageEnum = pgEnum("stage", STAGES);
export const backupTypeEnum = pgEnum("backup_type", BACKUP_TYPES);
export const backupStatusEnum = pgEnum("backup_status", BACKUP_STATUSES);
export const retentionClassEnum = pgEnum("retention_class", RETENTION_CLASSES);
export const artifactKindEnum = pgEnum("artifact_kind", ARTIFACT_KINDS);
export const restoreTargetEnum = pgEnum("restore_target", RESTORE_TARGETS);
export const restoreStatusEnum = pgEnum("restore_status", RESTORE_STATUSES);
export const outcomeEnum = pgEnum("outcome", OUTCOMES);
export const failureKindEnum = pgEnum("failure_kind", FAILURE_KINDS);
export const copyStatusEnum = pgEnum("copy_status", COPY_STATUSES);

