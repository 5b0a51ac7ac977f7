import type { ApplicationInfo } from "@safehold/plugin-api";
import { z } from "zod";

/** An application's facts as a source or a stored manifest states them; bounded, since a manifest read back from storage is untrusted. */
export const applicationInfoSchema = z.object({
  name: z.string().min(1).max(60),
  version: z.string().min(1).max(60),
  major: z.string().min(1).max(30),
  modules: z.record(z.string().max(200), z.string().max(60)).optional(),
});

/** The application a stored manifest records, or null when it records none or something malformed. */
export function applicationFrom(value: unknown): ApplicationInfo | null {
  const parsed = applicationInfoSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
