import { serveActivityCsv } from "@/server/api/activity-export";

export const dynamic = "force-dynamic";

export { serveActivityCsv as GET };
