/**
 * Domain errors thrown by services; `server/api/error-mapping.ts` is the one place that maps them to tRPC/HTTP codes,
 * by their `code`. The console's process holds the server code twice (Next's bundle for web routes, tsx for the CLI,
 * worker and plugin host), so an error from one copy is not an instance of the other's classes: recognise them
 * with `isDomainError`, never `instanceof`.
 */
export type DomainErrorCode = "bad_request" | "not_found" | "forbidden" | "unauthorized" | "conflict" | "too_many_requests" | "validation" | "external" | "stored_secret";

// Symbol.for: one registry per process, shared by both copies of this module.
const DOMAIN_ERROR = Symbol.for("safehold.domain-error");

export class DomainError extends Error {
  readonly code: DomainErrorCode = "bad_request";
  /** Set when the error came from a plugin: its PluginError code (NOT_FOUND, UNAVAILABLE, ...). */
  pluginCode?: string;
  /** Set when the source of the error said whether trying again may help (plugins' PluginError `retryable`). */
  retryable?: boolean;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    Object.defineProperty(this, DOMAIN_ERROR, { value: true });
  }
}

/** Whether `err` is a domain error from either copy of the server code (and of `code`, when given). */
export function isDomainError<C extends DomainErrorCode>(err: unknown, code?: C): err is DomainError & { code: C } {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[DOMAIN_ERROR] === true && (code === undefined || (err as DomainError).code === code);
}

export class NotFoundError extends DomainError {
  override readonly code = "not_found";

  constructor(what: string) {
    super(`${what} not found`);
  }
}

export class ForbiddenError extends DomainError {
  override readonly code = "forbidden";
}

export class UnauthorizedError extends DomainError {
  override readonly code = "unauthorized";
}

export class ConflictError extends DomainError {
  override readonly code = "conflict";
}

export class TooManyRequestsError extends DomainError {
  override readonly code = "too_many_requests";
}

/** Invalid input the user can fix; `fields` maps a field path (e.g. `name`, or `config.<field>` for a plugin setting) to its message. */
export class ValidationError extends DomainError {
  override readonly code = "validation";

  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An external system (a server, a storage location) refused or failed; the message is safe to show. */
export class ExternalError extends DomainError {
  override readonly code = "external";
}

/** A stored secret cannot be used: written with another key, or sealed for another row or column (the message says which). */
export class StoredSecretError extends DomainError {
  override readonly code = "stored_secret";
}

/** Whether trying again may help, when the error says so (errors from plugins do); undefined when unknown. */
export function retryableOf(err: unknown): boolean | undefined {
  return isDomainError(err) && typeof err.retryable === "boolean" ? err.retryable : undefined;
}

/** A ValidationError from either copy of the server code, with its `fields`. */
export function isValidationError(err: unknown): err is ValidationError {
  return isDomainError(err, "validation");
}
