import { z } from "zod";

/** One line of a backup's or a restore's log, as the API returns it. */
export const runLogEntry = z.object({ at: z.string(), message: z.string(), level: z.enum(["info", "warn", "error"]) });
