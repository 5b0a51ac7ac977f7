import { ExternalError, isDomainError } from "@/server/errors";
import type { ContributionKind, TestResult } from "./contracts";

/** Methods a contribution must have; the host checks them at activation (Strapi-style). */
export const REQUIRED_METHODS: Record<ContributionKind, string[]> = {
  sources: ["testConnection", "backup"],
  storageProviders: ["create"],
  serverKinds: ["connect", "testConnection"],
  notifiers: ["create"],
};

/** Methods whose result is itself an object to guard (a storage or notifier client, a server connection, a staged restore). */
const FACTORIES = new Set(["create", "connect", "restore"]);

function toExternal(err: unknown, pluginId: string): Error {
  if (isDomainError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = new ExternalError(message || `Plugin ${pluginId} failed without a message`);
  wrapped.cause = err;
  return wrapped;
}

function failedTest(err: unknown): TestResult {
  return { ok: false, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Wraps a plugin object so what it throws reaches the console as a domain error with a readable message
 * (never a raw stack), and a throwing testConnection reports `{ ok: false }` instead.
 */
export function guard<T extends object>(target: T, pluginId: string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (err) {
          if (prop === "testConnection") return Promise.resolve(failedTest(err));
          throw toExternal(err, pluginId);
        }
        const wrap = (r: unknown) => (FACTORIES.has(prop) && r && typeof r === "object" ? guard(r, pluginId) : r);
        if (result instanceof Promise) {
          return result.then(wrap, (err: unknown) => {
            if (prop === "testConnection") return failedTest(err);
            throw toExternal(err, pluginId);
          });
        }
        return wrap(result);
      };
    },
  });
}
