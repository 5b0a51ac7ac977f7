import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { type DomainError, type DomainErrorCode, isDomainError, isValidationError } from "@/server/errors";

/** The one place where domain errors become tRPC codes (and so HTTP statuses), by their stable `code`. */
const CODES: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  bad_request: "BAD_REQUEST",
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  unauthorized: "UNAUTHORIZED",
  conflict: "CONFLICT",
  validation: "UNPROCESSABLE_CONTENT",
  too_many_requests: "TOO_MANY_REQUESTS",
  external: "BAD_GATEWAY",
  stored_secret: "PRECONDITION_FAILED",
};

export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: CODES[error.code] ?? "BAD_REQUEST", message: error.message, cause: error });
}

/** PostgreSQL's unique_violation, wherever a driver or ORM wrapped it. */
function uniqueViolation(err: unknown): boolean {
  for (let e = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/**
 * A failed procedure's error as the caller should see it: domain errors by their code, and a unique violation
 * (two requests creating the same name at once, or a name a service does not check first) as a conflict.
 */
export function mapFailure(cause: unknown): TRPCError | null {
  if (isDomainError(cause)) return toTRPCError(cause);
  if (uniqueViolation(cause)) return new TRPCError({ code: "CONFLICT", message: "That already exists: another one with the same name (or the same unique value) is there", cause: cause as Error });
  return null;
}

export const INTERNAL_ERROR_MESSAGE = "Something went wrong on the server. The details are in the server log.";

type Issue = { path: PropertyKey[]; message: string };

/** Input-validation issues, recognised by shape like every error here: a copy of zod bundled elsewhere (a plugin's) has other classes. */
function zodIssues(err: unknown): Issue[] | null {
  const e = err as { name?: unknown; issues?: unknown } | null;
  return e && e.name === "ZodError" && Array.isArray(e.issues) ? (e.issues as Issue[]) : null;
}

/** Every issue's field path → its first message: all fields at once, so a form shows each error at its field. */
function issueFields(issues: Issue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[issue.path.join(".") || "input"] ??= issue.message;
  return fields;
}

/** Field path → message, for showing errors next to form fields. */
export function fieldErrors(error: TRPCError): Record<string, string> | undefined {
  const cause = error.cause;
  if (isValidationError(cause)) return Object.keys(cause.fields).length ? cause.fields : undefined;
  const issues = zodIssues(cause);
  return issues ? issueFields(issues) : undefined;
}

/** The message a user sees: never a stack trace or a raw driver message for an unexpected failure. Invalid input names every field. */
export function publicMessage(error: TRPCError): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return INTERNAL_ERROR_MESSAGE;
  const issues = zodIssues(error.cause);
  if (issues) {
    const fields = Object.entries(issueFields(issues)).map(([path, message]) => (path === "input" ? message : `${path}: ${message}`));
    return fields.length ? `Invalid input: ${fields.join("; ")}` : "Invalid input";
  }
  return error.message;
}
