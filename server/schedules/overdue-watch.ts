import { getDb } from "@/server/db";
import { pluginHost } from "@/server/plugins/process-host";
import { checkOverdue } from "./check-overdue";

const FIRST_CHECK_MS = 5_000;
const CHECK_EVERY_MS = 60_000;

/**
 * Runs the dead-man check in this (web) process every minute, so a console whose workers are all gone still says
 * so. The timer does not keep the process alive, and a check never overlaps the previous one.
 */
export function startOverdueWatch(): void {
  let running = false;
  let lastError: string | null = null;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const { alerted, delivered } = await checkOverdue(getDb(), pluginHost());
      if (alerted > 0 || delivered > 0) console.log(`[safehold] Overdue check: ${alerted} environment(s) overdue, ${delivered} notification(s) sent without a worker`);
      lastError = null;
    } catch (err) {
      const message = (err as Error).message;
      // Once per distinct failure: a database that is down would otherwise fill the log every minute.
      if (message !== lastError) console.warn(`[safehold] Overdue check failed: ${message}`);
      lastError = message;
    } finally {
      running = false;
    }
  };
  setTimeout(() => void check(), FIRST_CHECK_MS).unref();
  setInterval(() => void check(), CHECK_EVERY_MS).unref();
}
