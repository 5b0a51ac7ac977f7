import { relations } from "drizzle-orm";
import { backupArtifacts } from "./backup-artifacts";
import { backups } from "./backups";
import { environments } from "./environments";
import { memberships } from "./memberships";
import { organizations } from "./organizations";
import { projects } from "./projects";
import { servers } from "./servers";
import { users } from "./users";

export const organizationsRelations = relations(organizations, ({ many }) => ({
  memberships: many(memberships),
  projects: many(projects),
}));

export const membershipsRelations = relations(memberships, ({ one }) => ({
  organization: one(organizations, { fields: [memberships.orgId], references: [organizations.id] }),
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
}));

export const projectsRelations = relations(projects, ({ many }) => ({
  environments: many(environments),
}));

export const environmentsRelations = relations(environments, ({ one, many }) => ({
  project: one(projects, { fields: [environments.projectId], references: [projects.id] }),
  server: one(servers, { fields: [environments.serverId], references: [servers.id] }),
  backups: many(backups),
}));

export const backupsRelations = relations(backups, ({ one, many }) => ({
  environment: one(environments, { fields: [backups.environmentId], references: [environments.id] }),
  artifacts: many(backupArtifacts),
}));

export const backupArtifactsRelations = relations(backupArtifacts, ({ one }) => ({
  backup: one(backups, { fields: [backupArtifacts.backupId], references: [backups.id] }),
}));
