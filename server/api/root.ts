import { createCallerFactory, router } from "./trpc";
import { accountRouter } from "./routers/account";
import { activityRouter } from "./routers/activity";
import { apiTokensRouter } from "./routers/api-tokens";
import { backupPoliciesRouter } from "./routers/backup-policies";
import { backupsRouter } from "./routers/backups";
import { dashboardRouter } from "./routers/dashboard";
import { downloadLinksRouter } from "./routers/download-links";
import { environmentsRouter } from "./routers/environments";
import { erasureRouter } from "./routers/erasure";
import { fleetRouter } from "./routers/fleet";
import { lifecycleRouter } from "./routers/lifecycle";
import { importsRouter } from "./routers/imports";
import { meRouter } from "./routers/me";
import { notificationChannelsRouter } from "./routers/notification-channels";
import { membersRouter } from "./routers/members";
import { organizationRouter } from "./routers/organization";
import { organizationKeysRouter } from "./routers/organization-keys";
import { overviewRouter } from "./routers/overview";
import { pluginsRouter } from "./routers/plugins";
import { projectsRouter } from "./routers/projects";
import { restoresRouter } from "./routers/restores";
import { selfBackupRouter } from "./routers/self-backup";
import { restoreDrillsRouter } from "./routers/restore-drills";
import { serversRouter } from "./routers/servers";
import { setupRouter } from "./routers/setup";
import { storageLocationsRouter } from "./routers/storage-locations";
import { workersRouter } from "./routers/workers";

export const appRouter = router({
  setup: setupRouter,
  me: meRouter,
  account: accountRouter,
  organization: organizationRouter,
  organizationKeys: organizationKeysRouter,
  members: membersRouter,
  apiTokens: apiTokensRouter,
  plugins: pluginsRouter,
  projects: projectsRouter,
  servers: serversRouter,
  environments: environmentsRouter,
  storageLocations: storageLocationsRouter,
  notificationChannels: notificationChannelsRouter,
  backups: backupsRouter,
  imports: importsRouter,
  backupPolicies: backupPoliciesRouter,
  restores: restoresRouter,
  restoreDrills: restoreDrillsRouter,
  lifecycle: lifecycleRouter,
  downloadLinks: downloadLinksRouter,
  erasure: erasureRouter,
  activity: activityRouter,
  overview: overviewRouter,
  dashboard: dashboardRouter,
  fleet: fleetRouter,
  selfBackup: selfBackupRouter,
  workers: workersRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
