import { createOpenApiFetchHandler, generateOpenApiDocument } from "trpc-to-openapi";
import { env } from "@/server/env";
import { refuseCookieMutationWithoutJson } from "@/server/http/cookie-csrf";
import { createRequestContext } from "./context";
import { INTERNAL_ERROR_MESSAGE } from "./error-mapping";
import { appRouter } from "./root";
import type { Meta } from "./trpc";

export const REST_BASE = "/api/v1";

let document: ReturnType<typeof generateOpenApiDocument> | undefined;

export function openApiDocument() {
  document ??= generateOpenApiDocument(appRouter, {
    title: "Safehold API",
    description:
      'Safehold public API v1. Authenticate with `Authorization: Bearer <API token>` (Settings › Account, or `safehold token create`). Errors are `{ "error": { "code", "message", "fields"? } }`. Lists are `{ items, nextCursor }`. A few actions stay in the signed-in console by design: your own password, two-factor sign-in and sessions, creating API tokens, new accounts, resetting a member\'s password or second factor, and the organization\'s security settings.',
    version: "1.0.0",
    baseUrl: `${env().publicUrl}${REST_BASE}`,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
  });
  return document;
}

type ProcedureMeta = { _def: { meta?: Meta } };

function successStatus(path: string): number | undefined {
  return (appRouter._def.procedures as unknown as Record<string, ProcedureMeta>)[path]?._def.meta?.restStatus;
}

type ErrorBody = {
  message?: string;
  code?: string;
  data?: { fields?: Record<string, string> };
  issues?: Array<{ path: Array<string | number>; message: string }>;
};

/** PRODUCT's error shape: `{ error: { code, message, fields? } }`, whatever produced the error. */
async function reshapeError(response: Response): Promise<Response> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // an empty or non-JSON body keeps the defaults below
  }
  const fields =
    body.data?.fields ??
    (body.issues?.length ? Object.fromEntries(body.issues.map((i) => [i.path.join(".") || "input", i.message])) : undefined);
  const code = (body.code ?? "INTERNAL_SERVER_ERROR").toLowerCase();
  let message = body.message ?? "Request failed";
  if (response.status >= 500 && response.status !== 502) message = INTERNAL_ERROR_MESSAGE;
  if (body.message === "Input validation failed" && fields) message = `Invalid input: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("; ")}`;
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  return new Response(JSON.stringify({ error: { code, message, ...(fields ? { fields } : {}) } }), { status: response.status, headers });
}

/**
 * A body-less POST (e.g. `.../test`) is an empty JSON object, so token clients need not send a content type.
 * Cookie-authenticated mutations were refused without JSON before this (refuseCookieMutationWithoutJson).
 */
async function withJsonBody(req: Request): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD" || req.headers.get("content-type")) return req;
  const body = await req.text();
  if (body.trim() !== "") return new Request(req.url, { method: req.method, headers: req.headers, body });
  const headers = new Headers(req.headers);
  headers.set("content-type", "application/json");
  return new Request(req.url, { method: req.method, headers, body: "{}" });
}

export async function handleRestRequest(incoming: Request): Promise<Response> {
  const refused = refuseCookieMutationWithoutJson(incoming);
  if (refused) return refused;
  const req = await withJsonBody(incoming);
  const response = await createOpenApiFetchHandler({
    endpoint: REST_BASE,
    router: appRouter,
    req,
    createContext: ({ req: request }) => createRequestContext(request),
    responseMeta: ({ paths, errors }) => {
      const status = errors.length === 0 && paths?.[0] ? successStatus(paths[0]) : undefined;
      return status ? { status } : {};
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`REST ${path ?? req.url} failed:`, error.cause ?? error);
    },
  });
  return response.ok ? response : reshapeError(response);
}
