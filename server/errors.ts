/** Domain errors thrown by services; `server/api/error-mapping.ts` is the one place that maps them to tRPC/HTTP codes. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(`${what} not found`);
  }
}

export class ForbiddenError extends DomainError {}

export class UnauthorizedError extends DomainError {}

export class ConflictError extends DomainError {}

export class TooManyRequestsError extends DomainError {}

/** Invalid input the user can fix; `fields` maps a field path (e.g. `config.port`) to its message. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An external system (a server, a storage location) refused or failed; the message is safe to show. */
export class ExternalError extends DomainError {}

/** A stored secret cannot be used: written with another key, or sealed for another row or column (the message says which). */
export class StoredSecretError extends DomainError {}
