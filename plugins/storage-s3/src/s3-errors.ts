import { PluginError, type PluginErrorCode } from "@safehold/plugin-api";
import type { S3Settings } from "./settings";

/** What went wrong talking to the server, in the terms an operator can act on. */
export type S3Problem =
  | { kind: "unreachable"; reason: string }
  /** The server does not accept who we say we are. */
  | { kind: "refused"; code: string }
  /** Who we are is accepted; what we asked is not allowed. */
  | { kind: "denied"; code: string }
  | { kind: "no-bucket" }
  | { kind: "no-key" }
  /** Any other S3 error answer. */
  | { kind: "answered"; code: string; status: number; message: string }
  /** An answer that is not S3's at all. */
  | { kind: "not-s3"; status: number };

type SdkError = Error & { code?: string; errors?: unknown[]; $fault?: string; $metadata?: { httpStatusCode?: number } };

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "the connection was refused",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved",
  EHOSTUNREACH: "there is no route to the host",
  ENETUNREACH: "the network is unreachable",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "it did not accept a connection in time",
  EPROTO: "the TLS handshake failed (is it http:// rather than https://?)",
};

const REFUSED_CODES = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "Unauthorized"]);

/** Node's connection errors carry a code; with several addresses to try it reports an AggregateError of them. */
function networkCode(err: SdkError): string | undefined {
  const first = err.errors?.[0] as SdkError | undefined;
  return err.code ?? first?.code;
}

function networkReason(err: SdkError): string | undefined {
  const code = networkCode(err);
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  if (code && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `its TLS certificate was not accepted (${code})`;
  // The SDK names its own connect and idle timeouts this way, without a code.
  if (err.name === "TimeoutError") return /establish a connection/.test(err.message) ? NETWORK_REASONS.ETIMEDOUT : "it stopped answering";
  return undefined;
}

/** Classifies an error thrown by the SDK; null when it did not come from talking to the server (e.g. the source failed). */
export function s3Problem(err: unknown): S3Problem | null {
  if (!(err instanceof Error)) return null;
  const e = err as SdkError;
  // The SDK stamps $metadata on whatever a request threw: anything else, such as a reset in the source being
  // uploaded, is not this server's doing.
  if (!e.$metadata) return null;
  const reason = networkReason(e);
  if (reason && !e.$fault) return { kind: "unreachable", reason };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return null;
  // The SDK keeps the body of an answer it could not read as S3's: a web page, a proxy's error, ...
  if (!e.$fault) return "$responseBodyText" in e ? { kind: "not-s3", status } : null;
  const code = e.name;
  if (REFUSED_CODES.has(code) || status === 401) return { kind: "refused", code };
  if (code === "NoSuchBucket") return { kind: "no-bucket" };
  if (code === "NoSuchKey") return { kind: "no-key" };
  // Other 403s say something specific (RequestTimeTooSkewed: the clock is off) that their message explains.
  if (code === "AccessDenied" || code === "AllAccessDisabled" || (status === 403 && code === "Unknown")) return { kind: "denied", code };
  return { kind: "answered", code, status, message: e.message.replace(/\s+/g, " ").trim() };
}

/**
 * One sentence for the operator. `action` completes "may not ... bucket" ("write to", "read from", "list",
 * "delete from"); `key` is the object the request was about, as the caller named it.
 */
export function problemMessage(problem: S3Problem, settings: S3Settings, action: string, key: string): string {
  const { displayEndpoint: endpoint, bucket } = settings;
  switch (problem.kind) {
    case "unreachable":
      return `Cannot reach ${endpoint}: ${problem.reason}`;
    case "refused":
      return `${endpoint} refused the credentials for bucket "${bucket}" (${problem.code}): check the access key ID, the secret access key and the key's permissions on the bucket`;
    case "no-bucket":
      return `Bucket "${bucket}" does not exist at ${endpoint}`;
    case "no-key":
      return `Object ${key} does not exist in bucket ${bucket}`;
    case "denied":
      return `The credentials may not ${action} bucket "${bucket}" at ${endpoint} (${problem.code})`;
    case "answered": {
      // Without a message in the answer, the SDK repeats the code or says "Unknown...".
      const said = problem.message && problem.message !== problem.code && !/^Unknown/.test(problem.message) ? `: ${problem.message}` : "";
      return `${endpoint} answered ${problem.code} (HTTP ${problem.status})${said}`;
    }
    case "not-s3":
      return `${endpoint} answered HTTP ${problem.status} with something other than an S3 response: check the endpoint`;
  }
}

/** The plugin API's error code for a problem: how the console reports it and whether retrying may help. */
export function problemCode(problem: S3Problem): { code: PluginErrorCode; field?: string } {
  switch (problem.kind) {
    case "unreachable":
      return { code: "UNAVAILABLE" };
    case "refused":
    case "denied":
      return { code: "UNAUTHORIZED" };
    case "no-bucket":
      return { code: "INVALID_CONFIG", field: "bucket" };
    case "no-key":
      return { code: "NOT_FOUND" };
    case "not-s3":
      return { code: "INVALID_CONFIG", field: "endpoint" };
    case "answered":
      // 5xx, throttling (SlowDown, 503) and request timeouts pass; anything else the server will answer again.
      return { code: problem.status >= 500 || problem.status === 429 || /SlowDown|Throttl|RequestTimeout/.test(problem.code) ? "UNAVAILABLE" : "PERMANENT" };
  }
}

/** What an operation rethrows: a typed, operator-readable PluginError for server trouble, the original error otherwise. */
export function operationError(err: unknown, settings: S3Settings, action: string, key: string): unknown {
  const problem = s3Problem(err);
  if (!problem) return err;
  const { code, field } = problemCode(problem);
  return new PluginError(code, problemMessage(problem, settings, action, key), { cause: err, ...(field ? { field } : {}) });
}
