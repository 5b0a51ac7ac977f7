import { PluginError } from "@safehold/plugin-api";
import { describe, expect, it } from "vitest";
import { retryClock } from "@/server/backups/backup-retry";
import { RunFailure } from "@/server/jobs/run-failure";
import { isTransientFailure } from "@/server/jobs/transient-failure";
import { toDomainError } from "@/server/plugins/guard";
import { retryDelayMs, retryDelaysMs } from "@/shared/retry-schedule";

const MINUTE = 60_000;

describe("the retry schedule", () => {
  it("spreads the default 3 attempts over 2 hours with doubling gaps", () => {
    expect(retryDelaysMs({ attempts: 3, withinMinutes: 120 })).toEqual([40 * MINUTE, 80 * MINUTE]);
  });

  it("ends the last attempt's wait exactly at the window's end, whatever the count", () => {
    for (const attempts of [2, 3, 5, 10]) {
      for (const withinMinutes of [1, 60, 1440]) {
        const delays = retryDelaysMs({ attempts, withinMinutes });
        expect(delays).toHaveLength(attempts - 1);
        expect(Math.abs(delays.reduce((a, b) => a + b, 0) - withinMinutes * MINUTE)).toBeLessThanOrEqual(attempts);
        for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
      }
    }
  });

  it("has no retry for a single attempt, nor after the last one", () => {
    expect(retryDelaysMs({ attempts: 1, withinMinutes: 120 })).toEqual([]);
    expect(() => retryDelayMs(3, { attempts: 3, withinMinutes: 120 })).toThrow(RangeError);
    expect(() => retryDelayMs(0, { attempts: 3, withinMinutes: 120 })).toThrow(RangeError);
  });
});

describe("when the next attempt is said to start", () => {
  it("reads in the policy's time zone, the one its schedule is written in", () => {
    const at = new Date("2025-07-01T01:35:00Z");
    expect(retryClock(at, "UTC")).toBe("01:35 UTC");
    expect(retryClock(at, "Europe/Brussels")).toBe("03:35 Europe/Brussels");
    expect(retryClock(at, "America/New_York")).toBe("21:35 America/New_York");
    expect(retryClock(at, "Not/AZone")).toBe("01:35 UTC");
  });
});

describe("which failures are transient", () => {
  const fromPlugin = (err: Error) => toDomainError(err, "source-test");

  it("retries a lost or shut-down worker", () => {
    expect(isTransientFailure("worker_lost", null)).toBe(true);
    expect(isTransientFailure("shutdown", new RunFailure("shutdown", "The worker was shut down"))).toBe(true);
  });

  it("follows what the plugin said, through the console's error and its causes", () => {
    expect(isTransientFailure("source", fromPlugin(PluginError.unavailable("Nothing is listening on 127.0.0.1:5999 (connection refused)")))).toBe(true);
    expect(isTransientFailure("storage", new RunFailure("storage", "S3 is down", { cause: fromPlugin(PluginError.unavailable("503 Slow Down")) }))).toBe(true);
    expect(isTransientFailure("source", fromPlugin(PluginError.unauthorized('Authentication failed for user "x": wrong password')))).toBe(false);
    expect(isTransientFailure("source", fromPlugin(PluginError.notFound('Database "x" does not exist')))).toBe(false);
    expect(isTransientFailure("source", fromPlugin(PluginError.permanent("Corrupt dump")))).toBe(false);
    // A plugin may mark any error either way.
    expect(isTransientFailure("source", fromPlugin(PluginError.permanent("Locked, try later", { retryable: true })))).toBe(true);
    expect(isTransientFailure("storage", fromPlugin(PluginError.unavailable("Quota exceeded", { retryable: false })))).toBe(false);
  });

  it("retries network errors a plugin did not classify, and nothing else it did not classify", () => {
    expect(isTransientFailure("source", fromPlugin(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })))).toBe(true);
    expect(isTransientFailure("source", fromPlugin(new Error("pg_dump: error: aborting because of server version mismatch")))).toBe(false);
  });

  it("never retries a failed precondition, a file that did not verify, or a run stopped from outside", () => {
    const unavailable = PluginError.unavailable("down");
    expect(isTransientFailure("precondition", unavailable)).toBe(false);
    expect(isTransientFailure("verification", unavailable)).toBe(false);
    expect(isTransientFailure("stopped", unavailable)).toBe(false);
  });
});
