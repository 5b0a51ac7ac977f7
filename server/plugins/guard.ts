import { isPluginError, type TestResult } from "@safehold/plugin-api";
import { ExternalError, NotFoundError, ValidationError, isDomainError, type DomainError } from "@/server/errors";
import { SHAPES, missingMethods, type ObjectKind } from "./conform";

/**
 * Maps what a plugin threw to a domain error, by the PluginError `code` (never by class: every plugin bundles its
 * own copy of the API's errors). The plugin's code and retryability stay on the domain error for job runners.
 */
export function toDomainError(err: unknown, pluginId: string): Error {
  if (isDomainError(err)) return err;
  const message = (err instanceof Error ? err.message : String(err)) || `Plugin ${pluginId} failed without a message`;
  let mapped: DomainError;
  if (isPluginError(err)) {
    switch (err.code) {
      case "NOT_FOUND":
        mapped = new NotFoundError("");
        mapped.message = message;
        break;
      case "INVALID_CONFIG":
        mapped = new ValidationError(message, err.field ? { [`config.${err.field}`]: message } : {});
        break;
      case "NOT_SUPPORTED":
        mapped = new ValidationError(message);
        break;
      default: // UNAUTHORIZED, UNAVAILABLE, PERMANENT: an external system refused or failed
        mapped = new ExternalError(message);
    }
    mapped.pluginCode = err.code;
    mapped.retryable = err.retryable;
  } else {
    mapped = new ExternalError(message);
  }
  mapped.cause = err;
  return mapped;
}

function failedTest(err: unknown): TestResult {
  return { ok: false, message: err instanceof Error ? err.message : String(err) };
}

/**
 * Wraps a plugin object of `kind` so what it throws reaches the console as a domain error with a readable message
 * (never a raw stack), a throwing testConnection reports `{ ok: false }` instead, optional methods it lacks are
 * filled in from its kind's base, and objects it creates (clients, connections, staged restores) are checked for
 * their required methods and guarded the same way.
 */
export function guard<T extends object>(target: T, pluginId: string, kind: ObjectKind): T {
  const shape = SHAPES[kind];
  return new Proxy(target, {
    get(obj, prop, receiver) {
      let value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof prop !== "string") return value;
      if (value === undefined && Object.hasOwn(shape.defaults, prop)) value = shape.defaults[prop];
      if (typeof value !== "function") return value;
      const produces = Object.hasOwn(shape.factories, prop) ? shape.factories[prop] : undefined;
      const wrap = (r: unknown) => {
        if (!produces || !r || typeof r !== "object") return r;
        const missing = missingMethods(r, produces);
        if (missing.length) throw new ExternalError(`Plugin ${pluginId} returned a ${SHAPES[produces].label} without ${missing.join(", ")}`);
        return guard(r, pluginId, produces);
      };
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        } catch (err) {
          if (prop === "testConnection") return Promise.resolve(failedTest(err));
          throw toDomainError(err, pluginId);
        }
        if (result instanceof Promise) {
          return result.then(wrap, (err: unknown) => {
            if (prop === "testConnection") return failedTest(err);
            throw toDomainError(err, pluginId);
          });
        }
        return wrap(result);
      };
    },
  });
}
