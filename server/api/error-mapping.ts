import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import {
  ConflictError,
  type DomainError,
  ExternalError,
  ForbiddenError,
  NotFoundError,
  StoredSecretError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from "@/server/errors";

/** The one place where domain errors become tRPC codes (and so HTTP statuses). */
const CODES: Array<[new (...args: never[]) => DomainError, TRPC_ERROR_CODE_KEY]> = [
  [NotFoundError, "NOT_FOUND"],
  [ForbiddenError, "FORBIDDEN"],
  [UnauthorizedError, "UNAUTHORIZED"],
  [ConflictError, "CONFLICT"],
  [ValidationError, "UNPROCESSABLE_CONTENT"],
  [TooManyRequestsError, "TOO_MANY_REQUESTS"],
  [ExternalError, "BAD_GATEWAY"],
  [StoredSecretError, "PRECONDITION_FAILED"],
];

export function toTRPCError(error: DomainError): TRPCError {
  const code = CODES.find(([type]) => error instanceof type)?.[1] ?? "BAD_REQUEST";
  return new TRPCError({ code, message: error.message, cause: error });
}

export const INTERNAL_ERROR_MESSAGE = "Something went wrong on the server. The details are in the server log.";

/** Field path → message, for showing errors next to form fields. */
export function fieldErrors(error: TRPCError): Record<string, string> | undefined {
  const cause = error.cause;
  if (cause instanceof ValidationError) return Object.keys(cause.fields).length ? cause.fields : undefined;
  if (cause instanceof ZodError) {
    const fields: Record<string, string> = {};
    for (const issue of cause.issues) fields[issue.path.join(".") || "input"] ??= issue.message;
    return fields;
  }
  return undefined;
}

/** The message a user sees: never a stack trace or a raw driver message for an unexpected failure. */
export function publicMessage(error: TRPCError): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return INTERNAL_ERROR_MESSAGE;
  if (error.cause instanceof ZodError) {
    const first = error.cause.issues[0];
    return first ? `Invalid input: ${first.path.length ? `${first.path.join(".")}: ` : ""}${first.message}` : "Invalid input";
  }
  return error.message;
}
