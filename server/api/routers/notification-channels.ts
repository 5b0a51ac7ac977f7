import { z } from "zod";
import { procedure, router } from "@/server/api/trpc";
import { failureCoverage, failureCoverageOutput } from "@/server/services/failure-coverage";
import { testResultOutput } from "@/server/services/plugin-config";
import {
  createNotificationChannel,
  createNotificationChannelInput,
  deleteNotificationChannel,
  listNotificationChannels,
  listNotificationChannelsInput,
  listNotificationDeliveries,
  listNotificationDeliveriesInput,
  notificationChannelItem,
  notificationChannelPage,
  notificationDeliveryPage,
  testNotificationChannel,
  updateNotificationChannel,
  updateNotificationChannelInput,
} from "@/server/services/notification-channels";

const tags = ["notifications"];

export const notificationChannelsRouter = router({
  list: procedure("viewer", { method: "GET", path: "/notification-channels", tags, summary: "List notification channels (secrets masked)", protect: true })
    .input(listNotificationChannelsInput)
    .output(notificationChannelPage)
    .query(({ ctx, input }) => listNotificationChannels(ctx.db, ctx.plugins, ctx.principal, input)),

  failureCoverage: procedure("viewer", { method: "GET", path: "/notification-channels/failure-coverage", tags, summary: "Who hears of failed backups: the default policy, and the environments whose failures reach no channel", protect: true })
    .input(z.object({}))
    .output(failureCoverageOutput)
    .query(({ ctx }) => failureCoverage(ctx.db, ctx.principal)),

  create: procedure("admin", { method: "POST", path: "/notification-channels", tags, summary: "Add a notification channel (optionally the default policy's channel for failures)", protect: true })
    .input(createNotificationChannelInput)
    .output(notificationChannelItem)
    .mutation(({ ctx, input }) => createNotificationChannel(ctx.db, ctx.plugins, ctx.principal, input)),

  update: procedure("admin", { method: "PUT", path: "/notification-channels/{id}", tags, summary: "Change a notification channel (a masked secret sent back keeps the stored one)", protect: true })
    .input(updateNotificationChannelInput)
    .output(notificationChannelItem)
    .mutation(({ ctx, input }) => updateNotificationChannel(ctx.db, ctx.plugins, ctx.principal, input)),

  delete: procedure("admin", { method: "DELETE", path: "/notification-channels/{id}", tags, summary: "Delete a notification channel and its delivery log", protect: true, restStatus: 204 })
    .input(z.object({ id: z.uuid() }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteNotificationChannel(ctx.db, ctx.principal, input.id)),

  test: procedure("admin", { method: "POST", path: "/notification-channels/{id}/test", tags, summary: "Send a test notification through a channel now", protect: true })
    .input(z.object({ id: z.uuid() }))
    .output(testResultOutput)
    .mutation(({ ctx, input }) => testNotificationChannel(ctx.db, ctx.plugins, ctx.principal, input.id)),

  deliveries: procedure("viewer", { method: "GET", path: "/notification-deliveries", tags, summary: "Recent notification deliveries, newest first", protect: true })
    .input(listNotificationDeliveriesInput)
    .output(notificationDeliveryPage)
    .query(({ ctx, input }) => listNotificationDeliveries(ctx.db, ctx.principal, input)),
});
