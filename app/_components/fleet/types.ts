import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

export type FleetHealth = inferRouterOutputs<AppRouter>["fleet"]["health"];
export type ProjectHealth = FleetHealth["projects"][number];
export type EnvironmentHealth = ProjectHealth["environments"][number];
export type EnvironmentStatus = EnvironmentHealth["status"];
export type FleetSearch = inferRouterOutputs<AppRouter>["fleet"]["search"];
