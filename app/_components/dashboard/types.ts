import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

export type Dashboard = inferRouterOutputs<AppRouter>["dashboard"]["get"];
export type NonCompliantEnvironment = Dashboard["nonCompliant"][number];
export type NonComplianceReason = NonCompliantEnvironment["reason"];
