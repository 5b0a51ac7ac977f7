/** Next.js calls this once when the web process starts. */
export async function register(): Promise<void> {
  // The edge runtime has no database; the console serves everything from Node.js.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startOverdueWatch } = await import("@/server/schedules/overdue-watch");
  startOverdueWatch();
}
