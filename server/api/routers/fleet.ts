import { procedure, router } from "@/server/api/trpc";
import { fleetHealthInput, fleetHealthOutput, getFleetHealth } from "@/server/fleet/fleet-health";
import { fleetSearchInput, fleetSearchOutput, searchFleet } from "@/server/fleet/fleet-search";

export const fleetRouter = router({
  health: procedure("viewer", { method: "GET", path: "/fleet/health", tags: ["fleet"], summary: "Each client's health, worst first: its environments' status, last success and failure, next run, stored size and compliance", protect: true })
    .input(fleetHealthInput)
    .output(fleetHealthOutput)
    .query(({ ctx, input }) => getFleetHealth(ctx.db, ctx.principal, input)),

  search: procedure("viewer", { method: "GET", path: "/fleet/search", tags: ["fleet"], summary: "Clients, environments and recent backups whose names contain the words given, at most `limit` of each", protect: true })
    .input(fleetSearchInput)
    .output(fleetSearchOutput)
    .query(({ ctx, input }) => searchFleet(ctx.db, ctx.principal, input)),
});
